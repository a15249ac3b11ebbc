"""The person's sign-ups, hours, invites, searches, calendar feed, DBS outcomes and the
groups they organise, in the download of their data; and what deleting the account does
here. Nothing of another person: a friend who brought them is "a friend", never a name."""

from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import (
    CalendarFeed,
    CommunityGroup,
    DbsRecord,
    GroupOrganiser,
    Invite,
    SavedSearch,
    SavedSearchMatch,
    Signup,
)
from marketplace.board.services.signups import signup_cancel
from marketplace.organisations import Status


def personal_data(user: User) -> dict[str, Any]:
    signups = (
        Signup.objects.filter(user=user)
        .select_related("shift__opportunity__group", "shift__opportunity__scheme", "hours")
        .order_by("shift__start", "id")
    )
    return {
        "signups": [_signup(signup) for signup in signups],
        "hours": [_hours(signup) for signup in signups if hasattr(signup, "hours")],
        "invites_you_shared": [
            {
                "opportunity": invite.opportunity.title,
                "shift_start": invite.shift.start if invite.shift else None,
                "created": invite.created,
            }
            for invite in Invite.objects.filter(inviter=user).select_related("opportunity", "shift")
        ],
        "saved_searches": [
            {"summary": s.summary, "filters": s.query, "created": s.created}
            for s in SavedSearch.objects.filter(user=user)
        ],
        "calendar_feed": CalendarFeed.objects.filter(user=user).exists(),
        "dbs_checks": [
            {
                "outcome": r.get_outcome_display(),
                "checked_on": r.checked_on,
                "recorded_by_group": r.group.name if r.group else None,
            }
            for r in DbsRecord.objects.filter(user=user).select_related("group")
        ],
        "groups_you_organise": [
            m.group.name for m in GroupOrganiser.objects.filter(user=user).select_related("group")
        ],
    }


def _signup(signup: Signup) -> dict[str, Any]:
    shift = signup.shift
    opportunity = shift.opportunity
    return {
        "town": opportunity.scheme.name,
        "group": opportunity.group.name,
        "opportunity": opportunity.title,
        "shift_start": shift.start,
        "shift_end": shift.end,
        "shift_cancelled": shift.is_cancelled,
        "status": signup.get_status_display(),
        "signed_up": signup.created,
        "cancelled_at": signup.cancelled_at,
        "attended": signup.attended,
        "came_by_a_friends_invite": signup.brought_by_id is not None,
    }


def _hours(signup: Signup) -> dict[str, Any]:
    hours, shift = signup.hours, signup.shift
    return {
        "opportunity": shift.opportunity.title,
        "shift_start": shift.start,
        "minutes": hours.minutes,
        "status": hours.get_status_display(),
        "decided_at": hours.decided_at,
        "reason": hours.reason,
    }


def personal_data_refusals(user: User) -> list[str]:
    """A group the person alone organises would be left with nobody to run it."""
    theirs = GroupOrganiser.objects.filter(user=user).values("group")
    groups = CommunityGroup.objects.filter(pk__in=theirs).exclude(status=Status.REJECTED)
    alone = groups.annotate(n=Count("organisers")).filter(n=1).order_by("name")
    return [
        f"You are the only organiser of {group.name}. Add another organiser, or ask the "
        "council to close the group, then come back to delete your account."
        for group in alone
    ]


def personal_data_erase(*, user: User) -> list[Signup]:
    """Cancel every upcoming place (as the person would: the waiting list moves up and
    the organisers' lists refresh), then delete invites, searches, the calendar feed,
    DBS outcomes and organiser roles. Past sign-ups and their hours stay, anonymous."""
    upcoming = Signup.objects.filter(
        user=user, status__in=Signup.ACTIVE, shift__start__gt=timezone.now()
    )
    with transaction.atomic():
        cancelled = [signup_cancel(signup=signup) for signup in upcoming]
        Invite.objects.filter(inviter=user).delete()
        SavedSearch.objects.filter(user=user).delete()
        SavedSearchMatch.objects.filter(user=user).delete()
        CalendarFeed.objects.filter(user=user).delete()
        DbsRecord.objects.filter(user=user).delete()
        GroupOrganiser.objects.filter(user=user).delete()
    return cancelled
