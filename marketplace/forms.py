from datetime import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from accounts.forms import normalise_postcode
from coins.models import Scheme
from marketplace.geo import postcode_point
from marketplace.images import photo_clean
from marketplace.models import CommunityGroup, DbsRecord, Opportunity
from marketplace.models.board import Cause, Skill
from marketplace.selectors import BoardQuery
from marketplace.services import ShiftPlan

DISTANCES = [
    ("1", "1 mile"),
    ("3", "3 miles"),
    ("5", "5 miles"),
    ("10", "10 miles"),
    ("25", "25 miles"),
]


class BoardSearchForm(forms.Form):
    """The board's filters; every field optional, so an empty form lists everything."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    cause = forms.ChoiceField(
        label="Cause", required=False, choices=[("", "Any cause"), *Cause.choices]
    )
    skill = forms.ChoiceField(
        label="Skill", required=False, choices=[("", "Any skill"), *Skill.choices]
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    postcode = forms.CharField(
        label="Near postcode",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    miles = forms.ChoiceField(label="Within", required=False, choices=DISTANCES, initial="5")
    # Filled in by "Use my location" (static/js/site.js); hidden, so their errors are
    # shown on the postcode field, where the person can do something about them.
    latitude = forms.FloatField(
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(
            ["invalid", "min_value", "max_value"], "latitude must be a number from -90 to 90"
        ),
    )
    longitude = forms.FloatField(
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(
            ["invalid", "min_value", "max_value"], "longitude must be a number from -180 to 180"
        ),
    )
    under_18 = forms.BooleanField(label="Open to under-18s", required=False)
    no_dbs = forms.BooleanField(label="No DBS check needed", required=False)
    step_free = forms.BooleanField(label="Step-free access", required=False)
    has_places = forms.BooleanField(label="Has free places", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        initial="soonest",
        choices=[("soonest", "Soonest first"), ("nearest", "Nearest first")],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The ‘To’ date must be on or after the ‘From’ date.")
        postcode = (data.get("postcode") or "").strip()
        location_problems = self._location_problems(data)
        data["point"] = None
        if postcode:  # a postcode wins over "Use my location", good or bad
            data["point"] = postcode_point(postcode)
            if data["point"] is None:
                self.add_error(
                    "postcode", "We do not know that postcode. Try one nearby, or leave it blank."
                )
        elif location_problems:
            self.add_error(
                "postcode",
                f"We couldn't use that location: {' and '.join(location_problems)}. "
                "Enter a postcode instead.",
            )
        elif data.get("latitude") is not None and data.get("longitude") is not None:
            data["point"] = (data["latitude"], data["longitude"])
        nearest = data.get("sort") == "nearest"
        if nearest and data["point"] is None and not self.has_error("postcode"):
            self.add_error("postcode", "Enter a postcode to sort by distance.")
        return data

    def _location_problems(self, data: dict[str, Any]) -> list[str]:
        """What is wrong with the hidden location fields, taken off them: the person
        cannot see those fields, so the caller reports it on the postcode instead."""
        problems = [str(e) for name in ("latitude", "longitude") for e in self.errors.pop(name, [])]
        if not problems and (data.get("latitude") is None) != (data.get("longitude") is None):
            problems = ["it needs both a latitude and a longitude"]
        return problems

    def board_query(self) -> BoardQuery:
        data = self.cleaned_data
        return BoardQuery(
            text=data.get("q") or "",
            cause=data.get("cause") or "",
            skill=data.get("skill") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            point=data.get("point"),
            miles=float(data.get("miles") or 5),
            under_18=bool(data.get("under_18")),
            no_dbs=bool(data.get("no_dbs")),
            step_free=bool(data.get("step_free")),
            has_places=bool(data.get("has_places")),
            sort=data.get("sort") or "soonest",
        )


class GroupRegisterForm(forms.ModelForm):
    scheme = forms.ModelChoiceField(
        queryset=Scheme.objects.order_by("name"), label="Town", empty_label=None
    )

    class Meta:
        model = CommunityGroup
        fields = ["scheme", "name", "description", "charity_number", "contact_email", "ward"]
        labels = {
            "name": "Group name",
            "description": "What does your group do?",
            "charity_number": "Charity number (optional)",
            "contact_email": "Contact email for volunteers",
            "ward": "Area or ward (optional)",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True
        self.fields["contact_email"].required = True
        self.fields["name"].error_messages["required"] = "Enter your group's name."
        self.fields["description"].error_messages["required"] = "Say what your group does."
        self.fields["contact_email"].error_messages["required"] = (
            "Enter an email address volunteers can write to."
        )
        if self.fields["scheme"].queryset.count() == 1:  # type: ignore[attr-defined]
            self.fields["scheme"].widget = forms.HiddenInput()
            self.fields["scheme"].initial = self.fields["scheme"].queryset.first()  # type: ignore[attr-defined]


class GroupDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("verify", "Verify"), ("reject", "Reject")], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label="Reason (needed to reject)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OpportunityForm(forms.ModelForm):
    causes = forms.MultipleChoiceField(
        choices=Cause.choices, widget=forms.CheckboxSelectMultiple, label="Causes"
    )
    skills = forms.MultipleChoiceField(
        choices=Skill.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Skills",
        required=False,
    )
    photo = forms.FileField(
        label="Photo (optional)",
        required=False,
        help_text="JPEG, PNG or WebP, up to 10 MB. We remove location and camera details.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    publish = forms.BooleanField(
        label="Publish now (otherwise it is saved as a draft)", required=False
    )

    class Meta:
        model = Opportunity
        fields = [
            "title",
            "description",
            "causes",
            "skills",
            "address",
            "postcode",
            "step_free",
            "seated",
            "remote_friendly",
            "minimum_age",
            "dbs_required",
            "language",
            "photo",
        ]
        labels = {
            "minimum_age": "Minimum age",
            "address": "Address (optional)",
            "postcode": "Postcode (optional)",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        required = {
            "title": "Enter a title.",
            "description": "Say what volunteers will do.",
            "causes": "Choose at least one cause.",
            "minimum_age": "Enter a minimum age from 13 to 25.",
            "language": "Enter the language spoken at the activity.",
        }
        for name, message in required.items():
            self.fields[name].error_messages["required"] = message

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"].strip()
        return normalise_postcode(value) if value else ""

    def clean_photo(self) -> object:
        upload = self.cleaned_data.get("photo")
        if not isinstance(upload, UploadedFile):
            return upload  # nothing new: keep (or clear) what is there
        return photo_clean(upload)

    def clean_minimum_age(self) -> int:
        age = self.cleaned_data["minimum_age"]
        if not 13 <= age <= 25:
            raise forms.ValidationError("Enter a minimum age from 13 to 25.")
        return int(age)


class ShiftPlanForm(forms.Form):
    """The first shift, and how many weeks it repeats."""

    day = forms.DateField(
        label="Date of the first shift", widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(label="Starts", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="Ends", widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=500)
    weeks = forms.IntegerField(
        label="Repeat weekly for how many weeks?",
        min_value=1,
        max_value=26,
        initial=1,
        help_text="1 means just this one shift.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        required = {
            "day": "Enter the date of the first shift.",
            "start_time": "Enter the time the shift starts.",
            "end_time": "Enter the time the shift ends.",
            "capacity": "Enter how many places there are.",
            "weeks": "Enter how many weeks it repeats (1 for just once).",
        }
        for name, message in required.items():
            self.fields[name].error_messages["required"] = message

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, day = data.get("start_time"), data.get("end_time"), data.get("day")
        if start and end and end <= start:
            self.add_error("end_time", "The shift must end after it starts.")
        if day and day < timezone.localdate():
            self.add_error("day", "The first shift must be today or later.")
        return data

    def plan(self) -> ShiftPlan:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        return ShiftPlan(
            start=datetime.combine(data["day"], data["start_time"], tzinfo=zone),
            end=datetime.combine(data["day"], data["end_time"], tzinfo=zone),
            capacity=data["capacity"],
            weeks=data["weeks"],
        )


class DbsRecordForm(forms.Form):
    email = forms.EmailField(
        label="Volunteer's email address",
        error_messages={"required": "Enter the email the volunteer joined with."},
    )
    outcome = forms.ChoiceField(
        label="What did the certificate say?",
        choices=DbsRecord.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the certificate said."},
    )
    checked_on = forms.DateField(
        label="Date on the certificate",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date on the certificate."},
    )


class ShiftMessageForm(forms.Form):
    subject = forms.CharField(
        label="Subject",
        max_length=120,
        error_messages={"required": "Enter a subject."},
    )
    body = forms.CharField(
        label="Message",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter your message."},
    )
