"""The time a person gave, typed as people say it: hours and minutes.

Two plain fields, each with its own label, are the clearest on a phone's keypad; the
hours may be a decimal ("2.5", or "2,5" as many write it). The services keep whole
minutes, so these forms only turn what was typed into minutes, with a message a
person can act on when it cannot be read."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from marketplace.board.models import Signup

MOST_MINUTES = 24 * 60


class TimeGivenForm(forms.Form):
    hours = forms.CharField(
        label="Hours",
        required=False,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "time-given__input"}
        ),
    )
    minutes = forms.CharField(
        label="Minutes",
        required=False,
        max_length=4,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "time-given__input"}
        ),
    )

    @staticmethod
    def initial_for(minutes: int) -> dict[str, int]:
        """A length in minutes as the two fields show it: 150 is 2 hours 30 minutes."""
        return {"hours": minutes // 60, "minutes": minutes % 60}

    def sent(self) -> bool:
        """Whether the page sent these fields at all (a person left out keeps the default)."""
        return any(self.add_prefix(name) in self.data for name in self.fields)

    def clean_hours(self) -> Decimal:
        typed = self.cleaned_data["hours"].strip().replace(",", ".")
        try:
            hours = Decimal(typed or "0")
        except InvalidOperation:
            raise forms.ValidationError("Enter the hours as a number, like 3 or 2.5.") from None
        if not hours.is_finite() or hours < 0:
            raise forms.ValidationError("Enter the hours as a number, like 3 or 2.5.")
        return hours

    def clean_minutes(self) -> int:
        typed = self.cleaned_data["minutes"].strip()
        if not typed:
            return 0
        if not typed.isdigit() or int(typed) > 59:
            raise forms.ValidationError(
                "Enter the minutes as a whole number from 0 to 59; put whole hours in Hours."
            )
        return int(typed)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "hours" in data and "minutes" in data:
            total = int((data["hours"] * 60).to_integral_value()) + data["minutes"]
            if not 1 <= total <= MOST_MINUTES:
                raise forms.ValidationError("The time must be between 1 minute and 24 hours.")
            data["total"] = total
        return data

    def total_minutes(self) -> int:
        return int(self.cleaned_data["total"])

    def problems(self) -> list[str]:
        return [str(message) for messages in self.errors.values() for message in messages]


def time_given_form(signup: Signup, minutes: int, data: Any = None) -> TimeGivenForm:
    """The fields for one volunteer on the organiser's hours form, named for their sign-up."""
    return TimeGivenForm(
        data, prefix=f"time-{signup.pk}", initial=TimeGivenForm.initial_for(minutes)
    )


@dataclass
class TimesGiven:
    """What the organiser's hours form sent: minutes by sign-up, or what to put right."""

    minutes: dict[int, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def times_given(data: Any, signups: Iterable[Signup], default: int) -> TimesGiven:
    found = TimesGiven()
    for signup in signups:
        form = time_given_form(signup, default, data)
        if not form.sent():
            continue
        if form.is_valid():
            found.minutes[signup.pk] = form.total_minutes()
        else:
            name = signup.user.display_name or "a volunteer"
            found.problems += [f"Time for {name}: {p}" for p in form.problems()]
    return found
