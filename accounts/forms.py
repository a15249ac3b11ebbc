"""Sign-up, 'Your details' and 'Before your first shift' forms, the guardian's e-mail
address, and the postcode rule every app uses. Never saves anything beyond the person's
own row."""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Background, User

# Outward and inward code, as Royal Mail writes them; spaces and case are forgiven.
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
POSTCODE_HELP = (
    "Optional. It shows you opportunities and rewards near you, and lets the council count "
    "volunteers by ward: only ever as totals, never who you are."
)
FIELD_ORDER = ["display_name", "email", "password1", "password2", "postcode", "age_group"]
UNDER_18, ADULT = "13-17", "18+"
NAME_LABEL = "What should we call you?"
NAME_HELP = (
    "Your first name, or the name you like to be called. The organisers of the shifts you "
    "join always see it, so they can check you in and keep everyone safe."
)
NAME_REQUIRED = "Tell us what to call you: the organisers of your shifts need a name."
BIRTH_DATE_HELP = (
    "Needed for opportunities with a minimum age over 13, and to know whether you need a "
    "parent or guardian's consent. Groups see whether you are old enough, never the date."
)
REQUIRED_MESSAGES = {
    "email": "Enter your email address.",
    "password1": "Enter a password.",
    "password2": "Enter the same password again.",
}


def normalise_postcode(value: str) -> str:
    match = POSTCODE_RE.match(re.sub(r"\s+", "", value.upper()))
    if not match:
        raise forms.ValidationError(
            "Enter a UK postcode, like SW1A 1AA, or leave this blank.", code="postcode"
        )
    return f"{match.group(1)} {match.group(2)}"


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, plus what we ask a new resident."""

    display_name = forms.CharField(
        label=NAME_LABEL,
        max_length=60,
        help_text=NAME_HELP + " Shops and other volunteers see it only if you choose.",
        error_messages={"required": NAME_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    postcode = forms.CharField(
        label="Home postcode (optional)",
        max_length=20,
        required=False,
        help_text=POSTCODE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    age_group = forms.ChoiceField(
        label="How old are you?",
        choices=[(UNDER_18, "13 to 17"), (ADULT, "18 or over")],
        widget=forms.RadioSelect,
        help_text="If you are 13 to 17, your name and area start off hidden from others.",
        error_messages={
            "required": "Tell us your age group. You must be 13 or older to join Citizen Coin."
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(FIELD_ORDER)
        for name, message in REQUIRED_MESSAGES.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message
                self.fields[name].widget.attrs.pop("placeholder", None)

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"].strip()
        return normalise_postcode(value) if value else ""

    def custom_signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.postcode = self.cleaned_data["postcode"]
        user.age_confirmed_at = timezone.now()
        user.declared_under_18 = self.cleaned_data["age_group"] == UNDER_18
        if user.is_under_18():
            user.use_high_privacy_defaults()
        user.save(
            update_fields=[
                "display_name",
                "postcode",
                "age_confirmed_at",
                "declared_under_18",
                "share_name",
                "share_location",
            ]
        )


def birth_date_checked(born: date | None) -> date | None:
    """A date of birth in the past, of someone 13 or over (everyone who may join)."""
    if born is not None:
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("Your date of birth must be in the past.")
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < 13:
            raise forms.ValidationError("You must be 13 or older to use Citizen Coin.")
    return born


class DetailsForm(forms.ModelForm):
    """What a person may change about themselves. The name may be changed, never
    blanked: the organisers of their shifts go by it."""

    display_name = forms.CharField(
        label=NAME_LABEL,
        max_length=60,
        help_text=NAME_HELP,
        error_messages={"required": NAME_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )

    class Meta:
        model = User
        fields = ["display_name", "postcode", "birth_date", "share_name", "share_location"]
        labels = {
            "birth_date": "Date of birth",
            "share_name": "Show my first name to shops and to other volunteers",
            "share_location": "Show my home area (first half of my postcode) "
            "to groups I volunteer with",
        }
        help_texts = {
            "postcode": POSTCODE_HELP,
            "birth_date": BIRTH_DATE_HELP,
            "share_name": "The organisers of a shift you join always see it, "
            "so they can check you in and keep everyone safe.",
            "share_location": "Only the first half, like TF1: never your full postcode.",
        }
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"].strip()
        return normalise_postcode(value) if value else ""

    def clean_birth_date(self) -> date | None:
        return birth_date_checked(self.cleaned_data["birth_date"])


class FirstShiftForm(forms.ModelForm):
    """'Before your first shift': the name, and the date of birth where the shift needs
    it; only the fields asked for are on the form, and each is required."""

    class Meta:
        model = User
        fields = ["display_name", "birth_date"]
        labels = {"display_name": NAME_LABEL, "birth_date": "Your date of birth"}
        help_texts = {"display_name": NAME_HELP, "birth_date": BIRTH_DATE_HELP}
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "birth_date": forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        }
        error_messages = {
            "display_name": {"required": NAME_REQUIRED},
            "birth_date": {
                "required": "Enter your date of birth.",
                "invalid": "Enter your date of birth as a real date, like 2011-05-03.",
            },
        }

    def __init__(self, *args: Any, asks: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in asks:
                del self.fields[name]
            else:
                self.fields[name].required = True

    def clean_birth_date(self) -> date | None:
        return birth_date_checked(self.cleaned_data["birth_date"])


class GuardianEmailForm(forms.Form):
    guardian_email = forms.EmailField(
        label="Your parent or guardian's email address",
        help_text="We email them a link to see what they are agreeing to and to say yes. "
        "They can withdraw it later from the same link.",
        error_messages={
            "required": "Enter your parent or guardian's email address.",
            "invalid": "Enter an email address like name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class BackgroundForm(forms.Form):
    """The two "about me" questions, in the ONS 2021 Census's top-level categories. Both
    are asked together, each with "Prefer not to say", so a saved row is one consent."""

    ethnic_group = forms.ChoiceField(
        label="What is your ethnic group?",
        choices=Background.EthnicGroup.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your ethnic group, or “Prefer not to say”.",
            "invalid_choice": "Choose one of the ethnic groups listed, or “Prefer not to say”.",
        },
    )
    religion = forms.ChoiceField(
        label="What is your religion?",
        choices=Background.Religion.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your religion, or “Prefer not to say”.",
            "invalid_choice": "Choose one of the religions listed, or “Prefer not to say”.",
        },
    )
