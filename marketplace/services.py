"""Writes on the opportunity board. Each runs in one transaction, locks what it
counts, and tells people what happened only after it commits (notify)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from marketplace.models import DbsRecord, Shift, Signup, Status
from notifications.services import notify

# A DBS check is commonly treated as current for three years.
DBS_CURRENT_FOR = timedelta(days=3 * 365)


class SignupRefused(Exception):
    """A sign-up the rules do not allow; the message is written for the volunteer."""


def signup_create(*, shift: Shift, user: User) -> Signup:
    """Give the person a place, or a place on the waiting list when the shift is full.

    Signing up again to the same shift returns the sign-up already there."""
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
        state = Signup.State.CONFIRMED if confirmed < shift.capacity else Signup.State.WAITLISTED
        signup = Signup.objects.create(shift=shift, user=user, status=state)
        _tell(signup, promoted=False)
    return signup


def signup_cancel(*, signup: Signup) -> Signup:
    """Cancel a sign-up; a freed place goes to the first person on the waiting list."""
    with transaction.atomic():
        shift = Shift.objects.select_for_update(no_key=True).get(pk=signup.shift_id)
        signup = Signup.objects.select_for_update().get(pk=signup.pk)
        if signup.status == Signup.State.CANCELLED:
            return signup
        freed_a_place = signup.status == Signup.State.CONFIRMED
        signup.status = Signup.State.CANCELLED
        signup.cancelled_at = timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        if freed_a_place:
            _promote_next(shift)
    return signup


def _promote_next(shift: Shift) -> None:
    confirmed = shift.signups.filter(status=Signup.State.CONFIRMED).count()
    if confirmed >= shift.capacity:
        return
    waiting = shift.signups.filter(status=Signup.State.WAITLISTED).order_by("created", "id")
    promoted = waiting.select_for_update().first()
    if promoted is None:
        return
    promoted.status = Signup.State.CONFIRMED
    promoted.save(update_fields=["status"])
    _tell(promoted, promoted=True)


def _check_eligible(*, shift: Shift, user: User) -> None:
    opportunity = shift.opportunity
    if (
        opportunity.status != opportunity.State.PUBLISHED
        or opportunity.group.status != Status.VERIFIED
    ):
        raise SignupRefused("This opportunity is not open for sign-ups.")
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
    when = timezone.localtime(shift.start).strftime("%a %-d %b, %H:%M")
    title = shift.opportunity.title
    if promoted:
        heading, kind = f"A place came up: you're going to {title}", "signup_promoted"
    elif signup.status == Signup.State.CONFIRMED:
        heading, kind = f"You're going to {title}", "signup_confirmed"
    else:
        heading, kind = f"You're on the waiting list for {title}", "signup_waitlisted"
    notify(recipients=[signup.user], kind=kind, title=heading, body=when)
