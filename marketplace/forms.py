from typing import Any

from django import forms

from coins.models import Scheme
from marketplace.geo import postcode_point
from marketplace.models import CommunityGroup
from marketplace.models.board import Cause, Skill
from marketplace.selectors import BoardQuery

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
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
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
        data["point"] = None
        if postcode:
            data["point"] = postcode_point(postcode)
            if data["point"] is None:
                self.add_error(
                    "postcode", "We do not know that postcode. Try one nearby, or leave it blank."
                )
        elif data.get("latitude") is not None and data.get("longitude") is not None:
            data["point"] = (data["latitude"], data["longitude"])
        if data.get("sort") == "nearest" and data["point"] is None and postcode == "":
            self.add_error("postcode", "Enter a postcode to sort by distance.")
        return data

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
