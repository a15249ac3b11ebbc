"""An amount of coins in its scheme's coin name: {{ 12|coins:scheme }} -> "12 Brackens"."""

from django import template

from coins.models import Scheme

register = template.Library()


@register.filter
def coins(amount: int | None, scheme: Scheme | None) -> str:
    """The amount with the scheme's singular or plural coin name; "coins" with no scheme."""
    amount = int(amount or 0)
    if scheme is None:
        return f"{amount:,} coin{'' if abs(amount) == 1 else 's'}"
    return scheme.coins(amount)
