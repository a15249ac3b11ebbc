"""Template filters for accessible forms (hints and errors tied to their fields)."""

from django import template
from django.forms import BoundField, Form
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def described_widget(field: BoundField) -> SafeString:
    """The field's widget, tied to its hint and error so screen readers announce them."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_hint")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    attrs: dict[str, str | bool] = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def as_list(value: object) -> list[object]:
    """A form, or a list of forms, as a list (empty for nothing)."""
    if not value:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@register.filter
def any_errors(forms: list[Form]) -> bool:
    return any(form.errors for form in forms)
