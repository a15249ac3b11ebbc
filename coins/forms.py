"""The wallet's forms: the statement month, giving coins, a council reversal."""

import re
import uuid
from datetime import date
from typing import Any

from django import forms

from accounts.models import User
from coins.models import Account, Currency, Scheme

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
NO_COIN_NAME = "Give the coin a name, such as Bracken."
COIN_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*$")
# The bonus rules (coins.models.BonusRule) as the council sets them, the cap last.
BONUS_FIELDS = [
    "bonus_first_session",
    "bonus_new_group",
    "bonus_outside_ward",
    "bonus_friend",
    "bonus_mixed_ages",
    "bonus_monthly_cap",
]
BONUS_HINT = (
    "0 or blank: none. In a participation-only scheme any number above 0 gives a badge "
    "instead of coins."
)


def parse_month(value: str) -> date | None:
    """'2026-11' -> 1 Nov 2026; anything else -> None (the whole statement)."""
    match = MONTH_RE.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


class GiveForm(forms.Form):
    """Give coins to a community group, or to another resident by their email."""

    to = forms.ChoiceField(
        label="Who to give to",
        error_messages={"required": "Choose who to give your coins to."},
    )
    email = forms.EmailField(
        label="Their email address",
        required=False,
        help_text="Only if you chose another resident. If nobody has joined with it yet, "
        "we keep your gift for them for 14 days, then give it back to you.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    amount = forms.IntegerField(
        label="How many coins",
        min_value=1,
        error_messages={
            "required": "Enter how many coins to give.",
            "invalid": "Enter a whole number of coins, like 5.",
            "min_value": "Give at least 1 coin.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    # One per form shown, so that pressing Give twice gives once.
    request_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: object, scheme: Scheme, sender: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.scheme, self.sender = scheme, sender
        self.fields["amount"].label = f"How many {scheme.coin_plural}"
        groups = Account.objects.filter(
            scheme=scheme, kind=Account.Kind.GROUP, currency=Currency.COIN
        ).prefetch_related("owner")
        choices = [(str(a.pk), str(a.owner)) for a in groups if a.owner is not None]
        choices.sort(key=lambda c: c[1])
        to: forms.ChoiceField = self.fields["to"]  # type: ignore[assignment]
        to.choices = [("", "Choose…"), *choices, ("person", "Another resident")]
        self.fields["request_id"].initial = uuid.uuid4()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("to") == "person":
            email = data.get("email")
            if not email:
                if "email" not in self.errors:  # a malformed address already says so
                    self.add_error("email", "Enter the email address of the person to give to.")
                return data
            # Whether anyone else has this address is never said (coins.gifts): only
            # the giver's own address is refused, which tells them nothing new.
            if email.strip().lower() == self.sender.email.lower():
                self.add_error("email", "You cannot give coins to yourself.")
        return data

    def group(self) -> Account | None:
        """The group's account chosen, or None for a resident by email."""
        if self.cleaned_data["to"] == "person":
            return None
        return Account.objects.get(
            pk=self.cleaned_data["to"], scheme=self.scheme, currency=Currency.COIN
        )


class ReversalForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the reversal",
        max_length=300,
        error_messages={"required": "Give a reason for the reversal."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SchemeRulesForm(forms.ModelForm):
    """The scheme's rules, checked against each other; a reason for the history."""

    reason = forms.CharField(
        label="Why are you changing them?",
        max_length=300,
        help_text="Kept in the history below, with your name and the time.",
        error_messages={"required": "Say why, so that the history explains the change."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Scheme
        fields = [
            "coin_name",
            "coin_name_plural",
            "coins_per_hour",
            "daily_cap",
            "weekly_cap",
            "expiry_months",
            "coin_value_pence",
            "code_minutes",
            "refund_days",
            "privacy_k",
            "round_to_five",
            "hour_value_pence",
            "hour_value_source",
            "wellbeing_value_pence",
            "wellbeing_value_source",
            *BONUS_FIELDS,
        ]
        labels = {
            "coin_name": "The coin's name, for one",
            "coin_name_plural": "The coin's name, for more than one (blank: add an s)",
            "coins_per_hour": "Coins for each hour",
            "daily_cap": "Most coins a volunteer can earn in a day (blank: no limit)",
            "weekly_cap": "Most coins a volunteer can earn in a week (blank: no limit)",
            "expiry_months": "Months without use before coins expire (blank: never)",
            "coin_value_pence": "What a coin is worth to a shop, in pence (blank: nothing)",
            "code_minutes": "Minutes a code to pay at a till stays valid",
            "refund_days": "Days a shop may refund a sale",
            "privacy_k": "Smallest count of people shown in reports",
            "round_to_five": "Round the other counts of people to the nearest 5",
            "hour_value_pence": "Social value of a volunteer hour, in pence (1900 is £19)",
            "hour_value_source": "Where the hour's value comes from",
            "wellbeing_value_pence": "Wellbeing value of a regular volunteer for a year, in "
            "pence (160000 is £1,600)",
            "wellbeing_value_source": "Where the wellbeing value comes from",
            "bonus_first_session": "Bonus coins for a volunteer's first ever session",
            "bonus_new_group": "Bonus coins for a first session with a group they have not "
            "been with",
            "bonus_outside_ward": "Bonus coins for a shift outside their own ward",
            "bonus_friend": "Bonus coins for bringing a friend, when both come (each gets it)",
            "bonus_mixed_ages": "Bonus coins for a shift where different age bands met "
            "(each gets it)",
            "bonus_monthly_cap": "Most bonus coins a volunteer can get in a month "
            "(blank: no limit)",
        }
        help_texts = {
            "coin_name": "As people read it after a number: “1 Bracken”.",
            "coin_name_plural": "As in “12 Brackens”. Blank adds an s to the name.",
            **{name: BONUS_HINT for name in BONUS_FIELDS[:-1]},
            "bonus_monthly_cap": "Counted apart from the daily and weekly limits. Once it "
            "is reached, a bonus is a badge without coins until the next month.",
        }
        widgets = {
            "hour_value_source": forms.Textarea(attrs={"rows": 2}),
            "wellbeing_value_source": forms.Textarea(attrs={"rows": 2}),
        }

    LIMITS = {
        "coins_per_hour": (0, 1000),
        "daily_cap": (1, 100_000),
        "weekly_cap": (1, 500_000),
        "expiry_months": (1, 120),
        "coin_value_pence": (1, 10_000),
        "code_minutes": (1, 60),
        "refund_days": (0, 365),
        "privacy_k": (2, 100),
        "hour_value_pence": (1, 100_000),
        "wellbeing_value_pence": (1, 10_000_000),
        **{name: (0, 1000) for name in BONUS_FIELDS[:-1]},
        "bonus_monthly_cap": (1, 100_000),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high) in self.LIMITS.items():
            field = self.fields[name]
            field.widget.attrs.update({"min": low, "max": high, "inputmode": "numeric"})
            field.error_messages["invalid"] = "Enter a whole number."
            field.validators = [_between(low, high)]  # one message, with the range
        for name in BONUS_FIELDS[:-1]:
            self.fields[name].required = False  # blank is none, as 0
        self.fields["coin_name"].error_messages["required"] = NO_COIN_NAME

    def clean_coin_name(self) -> str:
        return _coin_name(self.cleaned_data.get("coin_name", ""), required=True)

    def clean_coin_name_plural(self) -> str:
        return _coin_name(self.cleaned_data.get("coin_name_plural", ""), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in BONUS_FIELDS[:-1]:
            if name in data and data[name] is None:
                data[name] = 0
        return self._clean_rules(data)

    def main_fields(self) -> list[Any]:
        """The fields before the bonuses, which the page shows in a group of their own."""
        return [self[n] for n in self.Meta.fields if n not in BONUS_FIELDS]

    def bonus_fields(self) -> list[Any]:
        return [self[n] for n in BONUS_FIELDS]

    def _clean_rules(self, data: dict[str, Any]) -> dict[str, Any]:
        rate, daily, weekly = (data.get(n) for n in ("coins_per_hour", "daily_cap", "weekly_cap"))
        if daily is not None and rate is not None and daily < rate:
            self.add_error(
                "daily_cap",
                f"A day's limit below one hour's coins ({rate}) would "
                "stop anyone earning for an hour's work.",
            )
        if daily is not None and weekly is not None and weekly < daily:
            self.add_error("weekly_cap", "A week's limit cannot be below a day's.")
        for value in ("hour_value", "wellbeing_value"):
            if data.get(f"{value}_pence") is not None and not data.get(f"{value}_source"):
                self.add_error(
                    f"{value}_source",
                    "Say where the value comes from, so that readers can judge it.",
                )
        return data

    def rules(self) -> dict[str, int | str | None]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _coin_name(value: str, *, required: bool) -> str:
    """A name read after a number: letters, spaces, hyphens and apostrophes, no digits."""
    value = " ".join(value.split())
    if required and not value:
        raise forms.ValidationError(NO_COIN_NAME)
    if value and not COIN_NAME_RE.match(value):
        raise forms.ValidationError(
            "Use letters, spaces, hyphens and apostrophes only, such as Bracken."
        )
    return value


def _between(low: int, high: int) -> Any:
    def check(value: int | None) -> None:
        if value is not None and not low <= value <= high:
            raise forms.ValidationError(f"Enter a number from {low:,} to {high:,}.")

    return check
