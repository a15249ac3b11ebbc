"""Which town a person is in: one scheme's board, rewards and wallet for each resident.

A resident's town is their Residence, set at sign-up (places.signups) and changed on the
"Your town" page. Someone without one lives in the only scheme when there is just one,
or in the one scheme they hold a wallet in. A visitor's town is the one a link names
(?town=<slug>), else the one they picked (kept in their session), else the only scheme.
None means "ask": the pages then offer the towns to choose from."""

import re

from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest

from accounts.models import User
from coins.models import Account, Residence, Scheme, owner_key

SESSION_KEY = "town"
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def schemes_listed() -> list[Scheme]:
    """Every town, by name: few enough to list on a page."""
    return list(Scheme.objects.order_by("name", "pk"))


def only_scheme() -> Scheme | None:
    """The scheme, when the deployment has exactly one."""
    two = list(Scheme.objects.order_by("pk")[:2])
    return two[0] if len(two) == 1 else None


def scheme_by_slug(slug: str) -> Scheme | None:
    """The scheme with this slug; None for an unknown one or odd bytes."""
    if not slug or not SLUG_RE.match(slug):
        return None
    return Scheme.objects.filter(slug=slug).first()


def home_scheme(user: User) -> Scheme | None:
    """The resident's town: their Residence, else the only scheme, else the one scheme
    they hold a wallet in. None when that cannot be told: they are asked."""
    found = Residence.objects.filter(user=user).select_related("scheme").first()
    if found is not None:
        return found.scheme
    alone = only_scheme()
    if alone is not None:
        return alone
    wallets = Account.objects.filter(kind=Account.Kind.WALLET, **owner_key(user))
    held = list(Scheme.objects.filter(pk__in=wallets.values("scheme_id")).order_by("pk")[:2])
    return held[0] if len(held) == 1 else None


def visitor_scheme(request: HttpRequest) -> Scheme | None:
    """The town a link names, else the one picked this visit, else the only one."""
    named = scheme_by_slug(request.GET.get(SESSION_KEY, ""))
    if named is not None:
        return named
    picked = scheme_by_slug(str(request.session.get(SESSION_KEY, "")))
    return picked or only_scheme()


def town_for(request: HttpRequest) -> Scheme | None:
    """The town whose board, rewards and campaigns this request is shown."""
    if request.user.is_authenticated:
        home = home_scheme(request.user)
        if home is not None:
            return home
    return visitor_scheme(request)


def residents_of(scheme: Scheme) -> Q:
    """A filter on users for the residents of a town (as home_scheme tells them, short
    of the wallet rule, which is for pages, not fan-outs)."""
    lives_here = Q(residence__scheme=scheme)
    if only_scheme() == scheme:
        return lives_here | Q(residence__isnull=True)
    return lives_here


def residence_set(*, user: User, scheme: Scheme) -> Residence:
    """Make `scheme` the person's town. Their wallets elsewhere stay theirs."""
    residence, _ = Residence.objects.update_or_create(user=user, defaults={"scheme": scheme})
    return residence


def residences_fill(*, scheme: Scheme) -> int:
    """Everyone with no town yet lives in `scheme`: run when a second scheme is added, as
    those who joined while there was one town are that town's. Returns how many."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Residence._meta.db_table} (user_id, scheme_id, changed_at) "  # noqa: S608 - table names from the models
            f"SELECT id, %s, now() FROM {User._meta.db_table} ON CONFLICT DO NOTHING",
            [scheme.pk],
        )
        return int(cursor.rowcount)


def wallet_chosen(user: User, slug: str = "") -> Account | None:
    """The person's wallet in the scheme asked for (by slug), else in their own town,
    else their first: one in a town they moved from is still theirs to spend."""
    wallets = Account.objects.filter(kind=Account.Kind.WALLET, **owner_key(user))
    wallets = wallets.select_related("scheme").order_by("scheme__name", "pk")
    if slug:
        # A slug or nothing: odd bytes never reach the database.
        return wallets.filter(scheme__slug=slug).first() if SLUG_RE.match(slug) else None
    home = home_scheme(user)
    found = wallets.filter(scheme=home).first() if home is not None else None
    return found or wallets.first()
