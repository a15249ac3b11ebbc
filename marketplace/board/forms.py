"""The board's forms: search, a group's registration, opportunities and shifts, DBS,
messages. They check input; they never save (services do)."""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from accounts.forms import normalise_postcode
from coins.models import Scheme
from marketplace.board.models import (
    Campaign,
    Cause,
    CommunityGroup,
    DbsRecord,
    Opportunity,
    Shift,
    Skill,
)
from marketplace.board.selectors import BoardQuery
from marketplace.board.services.opportunities import ShiftPlan
from marketplace.board.services.shifts import MOST_PLACES, places_refusal
from marketplace.images import photo_clean, photo_field
from places.selectors import postcode_found, postcode_point

DISTANCES = [
    ("1", "1 mile"),
    ("3", "3 miles"),
    ("5", "5 miles"),
    ("10", "10 miles"),
    ("25", "25 miles"),
]


CHECKS = ["taster", "has_places", "step_free", "seated", "remote_friendly", "no_dbs", "under_18"]
UNKNOWN_POSTCODE = "We do not know that postcode. Try one nearby, or leave it blank."


class BoardSearchForm(forms.Form):
    """The board's filters; every field optional, so an empty form lists everything."""

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and not data.get("miles"):
            # The distance the search uses when none is given is what the page shows.
            data = data.copy()
            data["miles"] = "5"
        super().__init__(data, *args, **kwargs)

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
    taster = forms.BooleanField(label="Tasters only: short, no commitment", required=False)
    under_18 = forms.BooleanField(label="Open to under-18s", required=False)
    no_dbs = forms.BooleanField(label="No DBS check needed", required=False)
    step_free = forms.BooleanField(label="Step-free access", required=False)
    seated = forms.BooleanField(label="Can be done seated", required=False)
    remote_friendly = forms.BooleanField(label="Can be done from home", required=False)
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
                self.add_error("postcode", UNKNOWN_POSTCODE)
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

    def saved_data(self) -> dict[str, str]:
        """The filters as sent, without the blanks: what a saved search keeps."""
        return {
            name: str(self.data[name])
            for name in self.fields
            if name in self.data and str(self.data[name]).strip()
        }

    def summary(self, *, home: bool = False) -> str:
        """The filters in words, as "My saved searches" lists them; `home` says the
        postcode is the person's own, put in for them (search_near_home)."""
        data = self.cleaned_data
        parts = [f"“{data['q'].strip()}”"] if (data.get("q") or "").strip() else []
        parts += [str(Cause(data["cause"]).label)] if data.get("cause") else []
        parts += [str(Skill(data["skill"]).label)] if data.get("skill") else []
        if data.get("point") is not None:
            place = (data.get("postcode") or "").strip().upper() or "where you were"
            place = f"{place}, your postcode" if home else place
            parts.append(f"within {data.get('miles') or 5} miles of {place}")
        if data.get("date_from"):
            parts.append(f"from {data['date_from']:%-d %b %Y}")
        if data.get("date_to"):
            parts.append(f"until {data['date_to']:%-d %b %Y}")
        parts += [str(self.fields[name].label) for name in CHECKS if data.get(name)]
        return " · ".join(parts) or "All opportunities"

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
            seated=bool(data.get("seated")),
            remote_friendly=bool(data.get("remote_friendly")),
            has_places=bool(data.get("has_places")),
            taster=bool(data.get("taster")),
            sort=data.get("sort") or "soonest",
        )


def search_near_home(data: QueryDict, postcode: str) -> QueryDict | None:
    """The board opened with no search at all, as a search near the person's saved
    postcode; None when a search was sent or the postcode is not one we know. Only a
    bare visit: a link's or a saved search's filters, and a cleared postcode box, mean
    what they say (anywhere)."""
    if not postcode or set(data) - {"page"} or postcode_point(postcode) is None:
        return None
    near = data.copy()
    near["postcode"] = postcode
    return near


def board_query_string(back: str) -> str:
    """A search's query string, as an opportunity page's "Back" link carries it, kept
    to the board's own filters (the link's path is always the board's: never a
    redirect elsewhere)."""
    sent = QueryDict(back[:2000])
    known = [*BoardSearchForm.base_fields, "page"]
    return urlencode([(k, v) for k in known for v in sent.getlist(k)])


def board_query_from(data: dict[str, str]) -> BoardQuery | None:
    """A saved search's filters as the board reads them; None if they no longer make
    sense (a postcode dropped from our table, say)."""
    form = BoardSearchForm(data)
    return form.board_query() if form.is_valid() else None


class GroupRegisterForm(forms.ModelForm):
    scheme = forms.ModelChoiceField(
        queryset=Scheme.objects.order_by("name"), label="Town", empty_label=None
    )

    class Meta:
        model = CommunityGroup
        fields = ["scheme", "name", "description", "charity_number", "contact_email", "postcode"]
        labels = {
            "name": "Group name",
            "description": "What does your group do?",
            "charity_number": "Charity number (optional)",
            "contact_email": "Contact email for volunteers",
            "postcode": "Postcode (optional)",
        }
        help_texts = {
            "postcode": "Where your group meets or works. We use it only to find your ward, "
            "so that the council can see which wards have groups.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }

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

    def clean_postcode(self) -> str:
        """A postcode as the shop's form has it, and one the table knows, since the ward
        is all it is for."""
        value = self.cleaned_data["postcode"].strip()
        if not value:
            return ""
        try:
            postcode = normalise_postcode(value)
        except forms.ValidationError as bad:
            raise forms.ValidationError("Enter a UK postcode, like TF1 2AB.") from bad
        if postcode_found(postcode) is None:
            raise forms.ValidationError(UNKNOWN_POSTCODE)
        return postcode


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
    photo = photo_field("Photo (optional)")
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
            "taster",
            "campaign",
            "language",
            "photo",
        ]
        labels = {
            "taster": "This is a taster: short, no commitment, no DBS check",
            "campaign": "Campaign (optional)",
            "minimum_age": "Minimum age",
            "address": "Address (optional)",
            "postcode": "Postcode (optional)",
        }
        help_texts = {
            "taster": "A first go for someone new: a single short session, nothing to keep up "
            "afterwards. The board lets people look for tasters.",
            "campaign": "One of the council's campaigns that has not ended. Its page lists your "
            "opportunity.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._campaigns_offered()
        required = {
            "title": "Enter a title.",
            "description": "Say what volunteers will do.",
            "causes": "Choose at least one cause.",
            "minimum_age": "Enter a minimum age from 13 to 25.",
            "language": "Enter the language spoken at the activity.",
        }
        for name, message in required.items():
            self.fields[name].error_messages["required"] = message

    def _campaigns_offered(self) -> None:
        """The group's scheme's campaigns that have not ended, and the one it is in."""
        field = self.fields["campaign"]
        group = getattr(self.instance, "group", None)
        scheme_id = group.scheme_id if group is not None else None
        running = Q(scheme_id=scheme_id, ends_on__gte=timezone.localdate())
        current = Q(pk=self.instance.campaign_id) if self.instance.campaign_id else Q(pk__in=[])
        field.queryset = Campaign.objects.filter(running | current).order_by("starts_on", "name")  # type: ignore[attr-defined]
        field.empty_label = "Not part of a campaign"  # type: ignore[attr-defined]
        field.error_messages["invalid_choice"] = (
            "Choose one of the council's campaigns that has not ended."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("taster") and data.get("dbs_required"):
            # The database refuses it too (opportunity_taster_needs_no_dbs): these are the words.
            self.add_error(
                "taster",
                "A taster cannot need a DBS check. Untick “DBS check required”, "
                "or untick “taster”.",
            )
        return data

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


class ShiftChangeForm(forms.Form):
    """A shift's new time and places. `taken` is how many people have a place, which
    the places may not go below."""

    day = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label="Starts", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label="Ends", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=MOST_PLACES)

    def __init__(self, *args: Any, taken: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.taken = taken
        required = {
            "day": "Enter the date of the shift.",
            "start_time": "Enter the time the shift starts.",
            "end_time": "Enter the time the shift ends.",
            "capacity": "Enter how many places there are.",
        }
        for name, message in required.items():
            self.fields[name].error_messages["required"] = message

    @staticmethod
    def initial_for(shift: Shift) -> dict[str, Any]:
        start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
        return {
            "day": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "capacity": shift.capacity,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The shift must end after it starts.")
        elif day and start and self.start() <= timezone.now():
            self.add_error("start_time", "The shift must start in the future.")
        capacity = data.get("capacity")
        if capacity is not None:
            refusal = places_refusal(capacity=capacity, taken=self.taken)
            if refusal:
                self.add_error("capacity", refusal)
        return data

    def start(self) -> datetime:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        return datetime.combine(data["day"], data["start_time"], tzinfo=zone)

    def end(self) -> datetime:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        return datetime.combine(data["day"], data["end_time"], tzinfo=zone)


class ShiftCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        help_text="Everyone with a place or waiting gets this message.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason, so that volunteers know why."},
    )
