"""Forms for a shop's staff: registering the shop, its offers, and the till."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from accounts.forms import normalise_postcode
from coins.models import Scheme
from marketplace.images import photo_clean, photo_field
from marketplace.rewards.models import Offer, Retailer

ENTER_CODE = "Enter the code on the resident's phone"


class RetailerRegisterForm(forms.ModelForm):
    scheme = forms.ModelChoiceField(
        queryset=Scheme.objects.order_by("name"), label="Town", empty_label=None
    )

    class Meta:
        model = Retailer
        fields = ["scheme", "name", "description", "address", "postcode", "contact_email"]
        labels = {
            "name": "Shop name",
            "description": "What does your shop sell or do?",
            "address": "Street address",
            "postcode": "Postcode",
            "contact_email": "Contact email for the council",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        required = {
            "name": "Enter your shop's name.",
            "address": "Enter the shop's street address, so residents can find it.",
            "postcode": "Enter the shop's postcode.",
            "contact_email": "Enter an email address the council can write to.",
        }
        for name, message in required.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message
        scheme = self.fields["scheme"]
        if scheme.queryset.count() == 1:  # type: ignore[attr-defined]
            scheme.widget = forms.HiddenInput()
            scheme.initial = scheme.queryset.first()  # type: ignore[attr-defined]

    def clean_postcode(self) -> str:
        try:
            return normalise_postcode(self.cleaned_data["postcode"])
        except forms.ValidationError as bad:
            raise forms.ValidationError("Enter a UK postcode, like TF1 2AB.") from bad


def _whole_number(
    label: str, *, required: bool, low: int, high: int, hint: str = ""
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=hint,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class OfferForm(forms.ModelForm):
    price = _whole_number("Price in coins", required=True, low=1, high=100_000)
    stock = _whole_number(
        "How many you have (optional)",
        required=False,
        low=0,
        high=1_000_000,
        hint="Leave blank for no limit. It goes down by one with each sale.",
    )
    limit_per_person = _whole_number(
        "Most one person can have (optional)",
        required=False,
        low=1,
        high=100,
        hint="For example 1 per week: each person can have it once a week.",
    )
    limit_period = forms.ChoiceField(
        label="Limit per",
        required=False,
        choices=[
            ("", "No limit"),
            (Offer.Period.WEEK, "Per week"),
            (Offer.Period.MONTH, "Per month"),
        ],
    )
    photo = photo_field("Photo (optional)")

    class Meta:
        model = Offer
        fields = [
            "title",
            "description",
            "category",
            "price",
            "stock",
            "limit_per_person",
            "limit_period",
            "starts_on",
            "ends_on",
            "active",
            "photo",
        ]
        labels = {
            "description": "Description (optional)",
            "starts_on": "Starts on (optional)",
            "ends_on": "Ends on (optional)",
            "active": "Show this offer to residents",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        messages = {
            "title": {"required": "Enter a title."},
            "price": {
                "required": "Enter the price in coins.",
                "invalid": "Enter the price as a whole number of coins.",
                "min_value": "The price must be at least 1 coin.",
                "max_value": "The price can be at most 100,000 coins.",
            },
            "stock": {
                "invalid": "Enter how many you have as a whole number, or leave it blank.",
                "min_value": "Enter how many you have: 0 or more, or leave it blank.",
                "max_value": "Enter how many you have: at most 1,000,000, or leave it blank.",
            },
            "limit_per_person": {
                "invalid": "Enter the limit as a whole number, or leave it blank.",
                "min_value": "The limit must be at least 1, or leave it blank.",
                "max_value": "The limit can be at most 100, or leave it blank.",
            },
            "starts_on": {"invalid": "Enter the start date as a real date."},
            "ends_on": {"invalid": "Enter the end date as a real date."},
        }
        for name, errors in messages.items():
            self.fields[name].error_messages.update(errors)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        limit, period = data.get("limit_per_person"), data.get("limit_period")
        if limit and not period:
            self.add_error("limit_period", "Choose whether the limit is per week or per month.")
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The offer must end on or after the day it starts.")
        return data

    def clean_photo(self) -> object:
        upload = self.cleaned_data.get("photo")
        if not isinstance(upload, UploadedFile):
            return upload  # nothing new: keep (or clear) what is there
        return photo_clean(upload)


class TillForm(forms.Form):
    """A code typed from the resident's phone, or (from till.js) a scanned QR code."""

    code = forms.CharField(
        label="Code on the resident's phone",
        help_text="8 letters and numbers, under the QR code.",
        required=False,
        max_length=20,
        error_messages={"max_length": "That is too long for a code. Check it with the resident."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "till-code",
            }
        ),
    )
    token = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("token") and not (data.get("code") or "").strip():
            self.add_error("code", ENTER_CODE)
        return data


class RefundForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=200,
        help_text="The resident sees this with their coins.",
    )


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name for this till system",
        max_length=60,
        help_text="So that you can tell keys apart, like “Front counter till”.",
        error_messages={"required": "Give the key a name, like “Front counter till”."},
    )
