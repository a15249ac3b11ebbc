"""Pence shown as pounds."""

from django import template

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    """Pence as pounds: 6000 -> £60.00."""
    pence = int(pence or 0)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"
