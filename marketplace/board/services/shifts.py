"""An organiser changes a shift's time or places, or cancels it.

Both lock the shift as signup_create does, so places are counted against what is
there; everyone with a place or waiting is told in the same transaction."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import Shift, Signup
from marketplace.board.services.common import shift_when, signups_changed
from marketplace.board.services.reminders import reminders_told
from marketplace.board.services.signups import promote_waiting
from marketplace.organisations import NotAllowed
from notifications.services import headline, notify

MOST_PLACES = 500


def places_refusal(*, capacity: int, taken: int) -> str:
    """Why a shift cannot have this many places now, or "" when it can."""
    if not 1 <= capacity <= MOST_PLACES:
        return f"Enter a number of places from 1 to {MOST_PLACES}."
    if capacity < taken:
        return (
            f"{taken} {'people have' if taken != 1 else 'person has'} a place already, so "
            f"there must be at least {taken} places. To have fewer, ask people to cancel."
        )
    return ""


def shift_update(*, shift: Shift, by: User, start: datetime, end: datetime, capacity: int) -> Shift:
    """Move a shift, or change its places. New places go to the people waiting longest;
    a new time is told to everyone with a place or waiting, and re-arms reminders."""
    _check_organiser(shift, by)
    if end <= start:
        raise NotAllowed("The shift must end after it starts.")
    now = timezone.now()
    if start <= now:
        raise NotAllowed("The shift must start in the future.")
    with transaction.atomic():
        shift = _locked(shift)
        _check_open(shift, "changed")
        taken = shift.signups.filter(status=Signup.State.CONFIRMED).count()
        refusal = places_refusal(capacity=capacity, taken=taken)
        if refusal:
            raise NotAllowed(refusal)
        was = shift_when(shift.start, shift.end)
        if _same_minute(start, shift.start) and _same_minute(end, shift.end):
            start, end = shift.start, shift.end  # the page shows times to the minute
        moved = (start, end) != (shift.start, shift.end)
        shift.start, shift.end, shift.capacity = start, end, capacity
        shift.save(update_fields=["start", "end", "capacity"])
        if moved:
            live = shift.signups.filter(status__in=Signup.ACTIVE)
            live.update(**reminders_told(start=start, now=now))
            _tell_moved(shift, was, [s.user for s in live.select_related("user")])
        promote_waiting(shift)
    signups_changed(shift.pk)
    return shift


def shift_cancel(*, shift: Shift, by: User, reason: str) -> Shift:
    """Cancel a shift that has not started: every live sign-up is cancelled and told
    why. The row stays, so the opportunity page can say it was cancelled."""
    _check_organiser(shift, by)
    reason = reason.strip()
    if not reason:
        raise NotAllowed("Give a reason, so that volunteers know why.")
    if len(reason) > 300:
        raise NotAllowed("Keep the reason to 300 characters or fewer.")
    with transaction.atomic():
        shift = _locked(shift)
        if shift.is_cancelled:
            return shift
        _check_open(shift, "cancelled")
        now = timezone.now()
        shift.cancelled_at, shift.cancel_reason = now, reason
        shift.save(update_fields=["cancelled_at", "cancel_reason"])
        live = list(
            shift.signups.filter(status__in=Signup.ACTIVE)
            .select_for_update(of=("self",))
            .select_related("user")
        )
        Signup.objects.filter(pk__in=[s.pk for s in live]).update(
            status=Signup.State.CANCELLED, cancelled_at=now
        )
        opportunity = shift.opportunity
        notify(
            recipients=[s.user for s in live],
            kind="shift_cancelled",
            title=headline(f"Cancelled: {opportunity.title}, {shift_when(shift.start)}"),
            body=f"{opportunity.group.name} cancelled this shift: {reason}",
            url=reverse("board:opportunity", args=[opportunity.pk]),
        )
    signups_changed(shift.pk)
    return shift


def _check_organiser(shift: Shift, by: User) -> None:
    if not by.has_perm("marketplace.manage_group", shift.opportunity.group):
        raise NotAllowed("Only the group's organisers can change its shifts.")


def _locked(shift: Shift) -> Shift:
    return (
        Shift.objects.select_for_update(no_key=True, of=("self",))
        .select_related("opportunity__group")
        .get(pk=shift.pk)
    )


def _check_open(shift: Shift, what: str) -> None:
    if shift.is_cancelled:
        raise NotAllowed("This shift has been cancelled.")
    if shift.start <= timezone.now():
        raise NotAllowed(f"This shift has already started, so it can no longer be {what}.")


def _same_minute(one: datetime, other: datetime) -> bool:
    return one.replace(second=0, microsecond=0) == other.replace(second=0, microsecond=0)


def _tell_moved(shift: Shift, was: str, people: list[User]) -> None:
    title = shift.opportunity.title
    notify(
        recipients=people,
        kind="shift_changed",
        title=headline(f"{title} has moved to {shift_when(shift.start)}"),
        body=f"Now {shift_when(shift.start, shift.end)} (it was {was}). If you can no "
        "longer come, cancel in My shifts so that someone waiting can go.",
        url=reverse("board:my_shifts"),
    )
