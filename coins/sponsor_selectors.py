"""Reads about sponsorships: the unfinished ones, and what a sponsor's money helped
(confirmed volunteer hours in the groups they funded, counted by the app that has the
groups, coins.owners)."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from coins.models import Account, Sponsorship
from coins.owners import groups, minutes_since

# Not paid yet, and the PaymentIntent still open: a declined card leaves it open for another.
UNFINISHED = (Sponsorship.State.PENDING, Sponsorship.State.FAILED)


def sponsorship_cancellable(sponsorship: Sponsorship) -> bool:
    """Whether the sponsor may cancel it: unfinished, with a PaymentIntent at Stripe."""
    return sponsorship.status in UNFINISHED and bool(sponsorship.payment_intent_id)


def sponsorships_unfinished(*, before: datetime) -> QuerySet[Sponsorship]:
    """Unfinished sponsorships started before `before`, oldest first, a batch at a time."""
    return Sponsorship.objects.filter(
        status__in=UNFINISHED, payment_intent_id__isnull=False, created__lt=before
    ).order_by("created", "pk")[:500]


def sponsorship_minutes(sponsorship: Sponsorship) -> int:
    """Confirmed minutes on the funded group's shifts since the sponsorship (for the
    scheme's fund, on every shift of the scheme)."""
    account = sponsorship.account
    group_id = None
    if account.kind == Account.Kind.GROUP:
        if account.owner_type_id != ContentType.objects.get_for_model(groups().model).pk:
            return 0
        group_id = account.owner_id
    return minutes_since(
        scheme_id=sponsorship.scheme_id, group_id=group_id, since=sponsorship.created
    )


def hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
