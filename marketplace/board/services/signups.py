"""Places on shifts: signing up (or onto the waiting list), cancelling, the waiting list
moving up, checking in by the shift's code, and the private calendar feed. Each write
runs in one transaction, locks what it counts, and tells people only after commit."""

import secrets
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from marketplace.board.checkin import checkin_open
from marketplace.board.models import (
    CalendarFeed,
    DbsRecord,
    Shift,
    Signup,
)
from marketplace.board.services.common import SignupRefused, shift_when, signups_changed
from marketplace.board.services.reminders import reminders_told
from marketplace.organisations import (
    NotAllowed,
    Status,
)
from notifications.services import headline, notify

# A DBS check is commonly treated as current for three years.
DBS_CURRENT_FOR = timedelta(days=3 * 365)


def signup_create(*, shift: Shift, user: User, brought_by: User | None = None) -> Signup:
    """Give the person a place, or a place on the waiting list when the shift is full.
    `brought_by` is the friend whose invite link they came by (never themselves).

    Signing up again to the same shift returns the sign-up already there."""
    if brought_by is not None and brought_by.pk == user.pk:
        brought_by = None
    with transaction.atomic():
        # Lock the person, then the shift: their other sign-ups and the shift's
        # places are counted under these locks, so no two requests can both see room.
        User.objects.select_for_update(no_key=True).get(pk=user.pk)
        shift = (
            Shift.objects.select_for_update(no_key=True, of=("self",))
            .select_related("opportunity__group")
            .get(pk=shift.pk)
        )
        existing = Signup.objects.filter(shift=shift, user=user, status__in=Signup.ACTIVE).first()
        if existing is not None:
            return existing
        _check_eligible(shift=shift, user=user)
        confirmed = shift.signups.filter(status=Signup.State.CONFIRMED).count()
        if confirmed < shift.capacity:
            told = reminders_told(start=shift.start, now=timezone.now())
            signup = Signup.objects.create(
                shift=shift, user=user, status=Signup.State.CONFIRMED, brought_by=brought_by, **told
            )
        else:
            signup = Signup.objects.create(
                shift=shift, user=user, status=Signup.State.WAITLISTED, brought_by=brought_by
            )
        _tell(signup, promoted=False)
        signups_changed(shift.pk)
    return signup


def signup_cancel(*, signup: Signup) -> Signup:
    """Cancel a sign-up; a freed place goes to the first person on the waiting list."""
    with transaction.atomic():
        shift = Shift.objects.select_for_update(no_key=True).get(pk=signup.shift_id)
        signup = Signup.objects.select_for_update().get(pk=signup.pk)
        if signup.status == Signup.State.CANCELLED:
            return signup
        if shift.start <= timezone.now():
            # Its hours may be claimed or confirmed now; a no-show is marked by the organiser.
            raise NotAllowed("This shift has already started, so it can no longer be cancelled.")
        freed_a_place = signup.status == Signup.State.CONFIRMED
        signup.status = Signup.State.CANCELLED
        signup.cancelled_at = timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        if freed_a_place:
            promote_waiting(shift)
        signups_changed(shift.pk)
    return signup


def promote_waiting(shift: Shift) -> list[Signup]:
    """Give free places to the people waiting longest, and tell each of them. The
    caller holds the lock on the shift, under which places are counted."""
    confirmed = shift.signups.filter(status=Signup.State.CONFIRMED).count()
    room = shift.capacity - confirmed
    if room <= 0:
        return []
    waiting = shift.signups.filter(status=Signup.State.WAITLISTED).order_by("created", "id")
    promoted = list(waiting.select_for_update()[:room])
    now = timezone.now()
    for signup in promoted:
        signup.status = Signup.State.CONFIRMED
        for field, value in reminders_told(start=shift.start, now=now).items():
            setattr(signup, field, value)
        signup.save(update_fields=["status", "reminded_24h_at", "reminded_2h_at"])
        _tell(signup, promoted=True)
    return promoted


def _check_eligible(*, shift: Shift, user: User) -> None:
    opportunity = shift.opportunity
    if (
        opportunity.status != opportunity.State.PUBLISHED
        or opportunity.group.status != Status.VERIFIED
    ):
        raise SignupRefused("This opportunity is not open for sign-ups.")
    if shift.is_cancelled:
        raise SignupRefused("This shift has been cancelled, so it is closed for sign-ups.")
    if shift.start <= timezone.now():
        raise SignupRefused("This shift has already started, so it is closed for sign-ups.")
    _check_age(minimum=opportunity.minimum_age, user=user, on=shift.start.date())
    if opportunity.dbs_required and not _has_current_dbs(user):
        raise SignupRefused(
            "This opportunity needs a DBS check. Ask the group's organiser to record yours, "
            "then sign up."
        )
    overlapping = Signup.objects.filter(
        user=user,
        status__in=Signup.ACTIVE,
        shift__start__lt=shift.end,
        shift__end__gt=shift.start,
    ).select_related("shift__opportunity")
    clash = overlapping.first()
    if clash is not None:
        raise SignupRefused(
            f"You are already signed up to “{clash.shift.opportunity.title}” at that time."
        )


def _check_age(*, minimum: int, user: User, on: date) -> None:
    if minimum <= 13:
        return  # everyone confirmed they are 13 or over when they joined
    age = user.age_on(on)
    if age is None:
        raise SignupRefused(
            f"This opportunity is for people aged {minimum} or over. "
            "Add your date of birth to your account, then sign up."
        )
    if age < minimum:
        raise SignupRefused(f"This opportunity is for people aged {minimum} or over.")


def _has_current_dbs(user: User) -> bool:
    latest = DbsRecord.objects.filter(user=user).first()
    return (
        latest is not None
        and latest.outcome == DbsRecord.Outcome.CLEAR
        and latest.checked_on >= timezone.localdate() - DBS_CURRENT_FOR
    )


def _tell(signup: Signup, *, promoted: bool) -> None:
    shift = signup.shift
    title = shift.opportunity.title
    if promoted:
        heading, kind = f"A place came up: you're going to {title}", "signup_promoted"
    elif signup.status == Signup.State.CONFIRMED:
        heading, kind = f"You're going to {title}", "signup_confirmed"
    else:
        heading, kind = f"You're on the waiting list for {title}", "signup_waitlisted"
    notify(
        recipients=[signup.user],
        kind=kind,
        title=headline(heading),
        body=shift_when(shift.start),
        url=reverse("board:my_shifts"),
    )


def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """A new private calendar address; any old one stops working at once."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def signup_check_in_self(*, shift: Shift, user: User) -> Signup:
    """A volunteer scanned the shift's code: they are here."""
    signup = Signup.objects.filter(shift=shift, user=user, status=Signup.State.CONFIRMED).first()
    if signup is None:
        raise NotAllowed("You do not have a place on this shift, so you cannot check in.")
    if not checkin_open(shift):
        raise NotAllowed("Check-in opens an hour before the shift and closes two hours after.")
    signup.attended = True
    signup.save(update_fields=["attended"])
    signups_changed(shift.pk)
    return signup
