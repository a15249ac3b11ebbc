"""The council's campaign form. It checks input; campaign_save saves."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from coins.models import Scheme
from marketplace.board.models import Campaign
from marketplace.images import photo_clean, photo_field


class CampaignForm(forms.ModelForm):
    scheme = forms.ModelChoiceField(queryset=Scheme.objects.none(), label="Town", empty_label=None)
    image = photo_field("Picture (optional)")

    class Meta:
        model = Campaign
        fields = ["scheme", "name", "starts_on", "ends_on", "text", "image", "image_alt"]
        labels = {
            "name": "Name",
            "starts_on": "Starts on",
            "ends_on": "Ends on",
            "text": "What is it about?",
            "image_alt": "What the picture shows",
        }
        help_texts = {
            "name": "Its page's address is made from the name.",
            "text": "Shown on the campaign's page, above its opportunities.",
            "image_alt": "Needed with a picture, for people who cannot see it.",
        }
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, schemes: QuerySet[Scheme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scheme = self.fields["scheme"]
        scheme.queryset = schemes.order_by("name")  # type: ignore[attr-defined]
        if self.instance.pk or schemes.count() == 1:
            # A campaign stays in its town; with one town there is nothing to choose.
            scheme.widget = forms.HiddenInput()
            # (The form's initial, which a disabled field reads, has the instance's None.)
            self.initial["scheme"] = self.instance.scheme_id or schemes.first()
            scheme.disabled = True
        required = {
            "name": "Enter the campaign's name.",
            "starts_on": "Enter the date it starts.",
            "ends_on": "Enter the date it ends.",
            "text": "Say what the campaign is about.",
        }
        for name, message in required.items():
            self.fields[name].error_messages["required"] = message
        for name in ("starts_on", "ends_on"):
            self.fields[name].error_messages["invalid"] = "Enter a real date, like 21/6/2027."

    def clean_image(self) -> object:
        upload = self.cleaned_data.get("image")
        if not isinstance(upload, UploadedFile):
            return upload  # nothing new: keep (or clear) what is there
        return photo_clean(upload)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The end date must be on or after the start date.")
        if data.get("image") and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", "Say what the picture shows, for people who cannot see it.")
        return data
