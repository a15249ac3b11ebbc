"""What coins may ask of the board about a person's volunteering, for a scheme that counts
hours and gives no coins (Scheme.participation_only): its wallet page shows the hours.
Filled in once at start by the app that records hours (marketplace's AppConfig.ready), so
coins never names it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured

from accounts.models import User


@dataclass(frozen=True)
class HoursLine:
    """One confirmed session of volunteering."""

    day: date
    description: str  # what, and with whom: "Litter pick with Park Friends"
    minutes: int


@dataclass(frozen=True)
class Volunteering:
    # The person's confirmed hours in one scheme, newest first (one query).
    hours: Callable[[User, int], list[HoursLine]]
    # The ids of the schemes the person has confirmed hours in (one query).
    schemes: Callable[[User], set[int]]


_volunteering: list[Volunteering] = []


def volunteering_register(volunteering: Volunteering) -> None:
    _volunteering[:] = [volunteering]


def volunteering() -> Volunteering:
    if not _volunteering:
        raise ImproperlyConfigured("No app registered volunteering with coins.volunteering.")
    return _volunteering[0]
