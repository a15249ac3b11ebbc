"""The platform operator's form for adding a town: its scheme and its first admin."""

from typing import Any

from django import forms
from django.utils.text import slugify

from coins.models import Scheme


class SchemeNewForm(forms.Form):
    name = forms.CharField(
        label="Name of the scheme",
        max_length=120,
        help_text="As residents will see it, like “Fernley Citizen Coin”.",
        error_messages={"required": "Enter the scheme's name."},
    )
    slug = forms.CharField(
        label="Short name for web addresses (optional)",
        max_length=50,
        required=False,
        help_text="Lower-case letters, numbers and hyphens, like “fernley”. Leave it blank "
        "to make one from the name.",
    )
    coin_name = forms.CharField(
        label="The coin's name",
        max_length=40,
        help_text="One coin, as in “1 Fern”.",
        error_messages={"required": "Enter what one coin is called."},
    )
    coin_name_plural = forms.CharField(
        label="More than one coin (optional)",
        max_length=40,
        required=False,
        help_text="As in “12 Ferns”. Leave it blank to add an s.",
    )
    admin_email = forms.EmailField(
        label="E-mail address of the council's first admin",
        help_text="Someone with an account here runs the scheme at once; anyone else gets "
        "an e-mail asking them to join with this address.",
        error_messages={
            "required": "Enter the e-mail address of the person who will run the scheme.",
            "invalid": "Enter an e-mail address like name@council.gov.uk.",
        },
    )

    def clean_slug(self) -> str:
        typed = self.cleaned_data.get("slug", "").strip()
        slug = slugify(typed) if typed else ""
        if typed and slug != typed:
            raise forms.ValidationError(
                "Use only lower-case letters, numbers and hyphens, like “fernley”."
            )
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "slug" in data and not data["slug"] and data.get("name"):
            data["slug"] = slugify(data["name"])[:50]
            if not data["slug"]:
                self.add_error("slug", "Choose a short name: the name has no letters to use.")
                return data
        if data.get("slug") and Scheme.objects.filter(slug=data["slug"]).exists():
            self.add_error("slug", f"There is already a town at “{data['slug']}”. Choose another.")
        return data
