"""Offering and answering the pulse.

An invite belongs to a person (it is how the link in their e-mail finds them); the
answer it leads to is written without any link back, so that neither a group nor a
shop, nor anyone reading the table, can tell whose it is."""

import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohesion.models import Item, PulseAnswer, PulseInvite
from coins.models import Scheme
from notifications.services import notify
from places.selectors import ward_of

FORTNIGHT = timedelta(days=14)
# The standard items in turn, by how many invites the person has had.
ROTATION = [Item.GET_ON, Item.BELONG, Item.TRUST]
_LOCK = 0x9E15E  # pg advisory lock namespace: one pulse offer per person at a time


class PulseRefused(Exception):
    """An answer that cannot be taken (already answered, a score off the scale)."""


def pulse_offer(*, user: User, scheme: Scheme) -> PulseInvite | None:
    """Offer the pulse to a volunteer whose hours were just confirmed, unless they were
    offered one in the last fortnight. Returns the new invite, or None.

    Called inside hours_confirm's transaction. An advisory lock keyed on the person, not
    the User row: hours_confirm already holds ledger accounts there, and a gift locks the
    User row before the accounts, so locking the row here could deadlock with one."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK, user.pk])
        mine = PulseInvite.objects.filter(user=user)
        if mine.filter(created__gt=timezone.now() - FORTNIGHT).exists():
            return None
        invite = PulseInvite.objects.create(
            user=user,
            scheme=scheme,
            token=secrets.token_urlsafe(32),
            item=ROTATION[mine.count() % len(ROTATION)],
        )
        notify(
            recipients=[user],
            kind="pulse",
            title="A short question after your shift",
            body="Three taps, all optional: did you meet someone new? "
            "Groups and shops never see your answers.",
            url=reverse("pulse:ask", args=[invite.token]),
        )
    return invite


def pulse_answer(
    *,
    invite: PulseInvite,
    met_new: bool | None,
    met_different: bool | None,
    score: int | None,
) -> PulseAnswer:
    """Write what the pulse said, and close the invite, in one transaction. None is a
    question skipped. The answer keeps the scheme, the month and the ward the person
    lives in: nothing that leads back to them."""
    if score is not None and not 1 <= score <= 4:
        raise PulseRefused("That answer is not one of the four on the scale.")
    with transaction.atomic():
        locked = PulseInvite.objects.select_for_update().select_related("user").get(pk=invite.pk)
        if locked.done_at is not None:
            raise PulseRefused("You have already answered this one, so nothing more was saved.")
        answer = PulseAnswer.objects.create(
            scheme_id=locked.scheme_id,
            month=timezone.localdate().replace(day=1),
            ward=ward_of(locked.user.postcode),
            met_new=met_new,
            met_different=met_different,
            item=locked.item,
            score=score,
        )
        locked.done_at = timezone.now()
        locked.save(update_fields=["done_at"])
    return answer


def pulse_skip(*, invite: PulseInvite) -> PulseInvite:
    """ "No thanks": the invite is closed and nothing is written. Skipping one already
    answered or skipped changes nothing."""
    PulseInvite.objects.filter(pk=invite.pk, done_at__isnull=True).update(done_at=timezone.now())
    invite.refresh_from_db(fields=["done_at"])
    return invite
