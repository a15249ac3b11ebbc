"""The sponsor's form: who to fund (the scheme's fund or a verified community group) and
how much, in pounds."""

import re
from typing import Any

from django import forms

from coins.models import Account, Currency, Scheme
from coins.owners import groups
from coins.services import account_for

POUNDS_RE = re.compile(r"^£?\s*(\d{1,9})(?:\.(\d{1,2}))?$")


def pounds_to_pence(text: str) -> int | None:
    """'25' -> 2500, '£25.5' -> 2550, '1,000.00' -> 100000; anything else -> None."""
    match = POUNDS_RE.match(text.strip().replace(",", ""))
    if not match:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


class SponsorForm(forms.Form):
    """Who to fund (a scheme's fund or one of its verified groups) and how much."""

    to = forms.ChoiceField(
        label="Who to sponsor",
        error_messages={
            "required": "Choose who to sponsor.",
            "invalid_choice": "Choose who to sponsor.",
        },
    )
    amount = forms.CharField(
        label="Amount in pounds",
        help_text="A one-off payment from £1 to £10,000, like 25 or 25.50.",
        max_length=20,
        error_messages={"required": "Enter an amount in pounds, like 25."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        schemes = list(Scheme.objects.order_by("name"))
        verified = groups().verified().order_by("name")
        by_scheme: dict[int, list[tuple[str, str]]] = {s.pk: [] for s in schemes}
        for group in verified:
            by_scheme[group.scheme_id].append((f"group:{group.pk}", group.name))
        choices: list[Any] = [("", "Choose…")]  # options, or (scheme, options) groups
        for scheme in schemes:
            own: list[Any] = [(f"fund:{scheme.pk}", f"The {scheme.name} fund (every group)")]
            own += by_scheme[scheme.pk]
            choices += own if len(schemes) == 1 else [(scheme.name, own)]
        to: forms.ChoiceField = self.fields["to"]  # type: ignore[assignment]
        to.choices = choices

    def clean_amount(self) -> int:
        pence = pounds_to_pence(self.cleaned_data["amount"])
        if pence is None:
            raise forms.ValidationError("Enter an amount in pounds, like 25 or 25.50.")
        if pence < 100:
            raise forms.ValidationError("The smallest sponsorship is £1.")
        if pence > 1_000_000:
            raise forms.ValidationError(
                "The largest sponsorship online is £10,000. For more, ask the council."
            )
        return pence

    def target(self) -> tuple[Scheme, Account]:
        """The scheme and the GBP account the money goes to."""
        kind, pk = self.cleaned_data["to"].split(":")
        if kind == "fund":
            scheme = Scheme.objects.get(pk=pk)
            return scheme, account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
        group = groups().verified().select_related("scheme").get(pk=pk)
        return group.scheme, account_for(
            scheme=group.scheme, kind=Account.Kind.GROUP, owner=group, currency=Currency.GBP
        )
