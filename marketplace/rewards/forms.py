"""Forms residents fill in on the rewards pages."""

from typing import Any

from django import forms

from accounts.forms import normalise_postcode
from marketplace.rewards.models import OfferCategory
from marketplace.rewards.selectors import CatalogueQuery
from places.selectors import postcode_point

DISTANCES = [
    ("", "Any distance"),
    ("1", "1 mile"),
    ("3", "3 miles"),
    ("5", "5 miles"),
    ("10", "10 miles"),
]


class CatalogueForm(forms.Form):
    """The catalogue's filters; all optional, so an empty form lists everything."""

    category = forms.ChoiceField(
        label="Type of reward",
        required=False,
        choices=[("", "All types"), *OfferCategory.choices],
    )
    postcode = forms.CharField(
        label="Near postcode",
        required=False,
        max_length=20,
        help_text="Nearest shops first.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    miles = forms.ChoiceField(label="Within", required=False, choices=DISTANCES)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        postcode = (data.get("postcode") or "").strip()
        data["point"] = postcode_point(postcode) if postcode else None
        if data["point"] is not None:
            data["postcode"] = normalise_postcode(postcode)
        elif postcode:
            self.add_error(
                "postcode", "We do not know that postcode. Try one nearby, or leave it blank."
            )
        elif data.get("miles"):
            self.add_error("postcode", "Enter a postcode to look within a distance.")
        return data

    def near(self) -> str:
        """The postcode the results are sorted from, if any."""
        if not self.is_bound or not self.is_valid() or self.cleaned_data["point"] is None:
            return ""
        return str(self.cleaned_data["postcode"])

    def catalogue_query(self, scheme_ids: tuple[int, ...] | None) -> CatalogueQuery:
        data = self.cleaned_data
        return CatalogueQuery(
            scheme_ids=scheme_ids,
            category=data.get("category") or "",
            point=data.get("point"),
            miles=float(data["miles"]) if data.get("miles") else None,
        )


class PayAmountForm(forms.Form):
    amount = forms.IntegerField(
        label="How many coins did the shop ask for?",
        min_value=1,
        help_text="Only pay what the person at the till tells you.",
        # Text with a numeric keypad, as GOV.UK advises: a number input mangles some entries.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": "Enter how many coins the shop asked for.",
            "invalid": "Enter the number of coins as a whole number, like 12.",
            "min_value": "Enter a number of coins, 1 or more.",
        },
    )
