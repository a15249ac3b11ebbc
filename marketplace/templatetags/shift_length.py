"""A shift's length in words: {{ 90|shift_length }} -> "1 hour 30 minutes"."""

from django import template

register = template.Library()


@register.filter
def shift_length(minutes: int | None) -> str:
    hours, rest = divmod(int(minutes or 0), 60)
    parts = [f"{hours} hour{'' if hours == 1 else 's'}"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minute{'' if rest == 1 else 's'}")
    return " ".join(parts)
