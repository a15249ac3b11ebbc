"""The wallet's forms: the statement month, giving coins, a council reversal."""

import re
import uuid
from datetime import date

from django import forms

from accounts.models import User
from coins.models import Account, Currency, Scheme

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


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
        help_text="Only if you chose another resident.",
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
            person = User.objects.filter(email__iexact=email, is_active=True).first()
            if person is None:
                self.add_error("email", "Nobody with that email has joined Citizen Coin.")
            elif person.pk == self.sender.pk:
                self.add_error("email", "You cannot give coins to yourself.")
            else:
                data["person"] = person
        return data

    @staticmethod
    def memo(to: Account) -> str:
        """What the statement says; a resident recipient is never named."""
        return (
            "Gift to another resident" if to.kind == Account.Kind.WALLET else f"Gift to {to.owner}"
        )

    def recipient(self) -> Account:
        from coins.services import wallet_for

        if self.cleaned_data["to"] == "person":
            return wallet_for(scheme=self.scheme, user=self.cleaned_data["person"])
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
