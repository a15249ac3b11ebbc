"""{{ minutes|duration }}: a length of time as marketplace.durations words it ("3 h")."""

from django import template

from marketplace.durations import duration_text

register = template.Library()


@register.filter
def duration(minutes: object) -> str:
    """{{ hours.minutes|duration }}; blank for no figure (None, or not a number)."""
    if minutes is None or isinstance(minutes, bool):
        return ""
    try:
        return duration_text(int(minutes))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
