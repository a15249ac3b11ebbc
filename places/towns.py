"""Which town a postcode is in (the scheme its ward belongs to), and a new resident's
town at sign-up: their postcode's, else the one they picked while looking round, else
the only scheme; else they are asked on their first visit. And, for the board's and the
rewards' pages, the town a request is shown (`town_shown`) and whether a thing of
another town is (`elsewhere`, `shown_here`)."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from accounts.models import User
from coins.models import Residence, Scheme
from coins.residence import SESSION_KEY as TOWN_KEY
from coins.residence import (
    only_scheme,
    residence_set,
    scheme_by_slug,
    schemes_listed,
    town_for,
)
from coins.selectors import balance_of
from places.selectors import postcode_found


def scheme_for_postcode(postcode: str) -> Scheme | None:
    """The scheme whose ward the postcode is in; None for a postcode we cannot place or
    a ward no scheme covers."""
    found = postcode_found(postcode) if postcode else None
    if found is None or found.ward is None or found.ward.scheme_id is None:
        return None
    return Scheme.objects.filter(pk=found.ward.scheme_id).first()


def residence_at_signup(*, user: User, picked: Scheme | None = None) -> Residence | None:
    """A new resident's town; None when nothing tells it (they are asked later)."""
    scheme = scheme_for_postcode(user.postcode) or picked or only_scheme()
    return residence_set(user=user, scheme=scheme) if scheme is not None else None


def on_user_signed_up(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """allauth's user_signed_up, after the sign-up form saved the postcode."""
    session = getattr(request, "session", None)
    picked = scheme_by_slug(str(session.get(TOWN_KEY, ""))) if session is not None else None
    residence_at_signup(user=user, picked=picked)


@dataclass(frozen=True)
class Town:
    """The town a page shows (None: ask), and the towns there are to choose from."""

    scheme: Scheme | None
    towns: list[Scheme]

    @property
    def ask(self) -> bool:
        return self.scheme is None and len(self.towns) > 1

    @property
    def scheme_id(self) -> int | None:
        return self.scheme.pk if self.scheme is not None else None


def town_shown(request: HttpRequest) -> Town:
    return Town(scheme=town_for(request), towns=schemes_listed())


def elsewhere(request: HttpRequest, scheme: Scheme) -> bool:
    """Whether a thing of `scheme` is in another town than the one this request is in."""
    here = town_for(request)
    return here is not None and here.pk != scheme.pk


def shown_here(request: HttpRequest, scheme: Scheme) -> bool:
    """Whether a shop or offer of `scheme` is shown: it is in this request's town, or
    the person holds coins there (someone who moved still spends what they earned)."""
    if not elsewhere(request, scheme):
        return True
    return request.user.is_authenticated and balance_of(request.user, scheme.pk) > 0
