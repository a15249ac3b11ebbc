"""The dashboard's filters: a month range, a ward and a cause, read from the address (GET),
so that a filtered page can be bookmarked and works without JavaScript."""

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from coins.forms import parse_month
from coins.models import Scheme
from impact.selectors import Filters
from marketplace.board.models import Cause, CommunityGroup
from places.models import Ward

MOST_MONTHS = 36


class MonthField(forms.CharField):
    """YYYY-MM (what <input type=month> sends), read as the first of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError("Give the month as YYYY-MM, such as 2026-11.")
        return month


class ImpactForm(forms.Form):
    scheme = forms.ModelChoiceField(
        queryset=Scheme.objects.none(), label="Scheme", empty_label=None
    )
    first = MonthField(label="From", required=False)
    last = MonthField(label="To", required=False)
    ward = forms.ModelChoiceField(
        queryset=Ward.objects.none(), label="Ward", required=False, empty_label="Every ward"
    )
    cause = forms.ChoiceField(
        choices=[("", "Every cause"), *Cause.choices], label="Cause", required=False
    )

    def __init__(self, *args: Any, schemes: QuerySet[Scheme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scheme_field: forms.ModelChoiceField = self.fields["scheme"]  # type: ignore[assignment]
        scheme_field.queryset = schemes
        scheme_field.initial = schemes.first()
        if schemes.count() == 1:
            scheme_field.widget = forms.HiddenInput()
        ward: forms.ModelChoiceField = self.fields["ward"]  # type: ignore[assignment]
        ward.queryset = Ward.objects.filter(scheme__in=schemes).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        month_range(self, data)
        ward = data.get("ward")
        scheme = data.get("scheme")
        if ward is not None and scheme is not None and ward.scheme_id != scheme.pk:
            self.add_error("ward", "That ward is not in this scheme.")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            scheme=data["scheme"],
            first=data["first"],
            last=data["last"],
            ward=data.get("ward"),
            cause=data.get("cause") or "",
        )


class GroupReportForm(forms.Form):
    """A group's own report: which months."""

    first = MonthField(label="From", required=False)
    last = MonthField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        month_range(self, data)
        return data

    def filters(self, group: CommunityGroup) -> Filters:
        data = self.cleaned_data
        return Filters(scheme=group.scheme, first=data["first"], last=data["last"], group=group)


def month_range(form: forms.Form, data: dict[str, Any]) -> None:
    """The months asked for, or the last twelve; at most MOST_MONTHS, first before last."""
    this_month = timezone.localdate().replace(day=1)
    last = data.get("last") or this_month
    first = data.get("first") or _months_before(last, 11)
    if first > last:
        form.add_error("first", "The first month must be on or before the last.")
    elif _months_between(first, last) >= MOST_MONTHS:
        form.add_error("first", f"Choose at most {MOST_MONTHS} months at a time.")
    data["first"], data["last"] = first, last


def _months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month
