"""The organisers' list of the DBS checks their group holds: each volunteer's latest
record, soonest to stop counting first, with those expired or expiring soon marked."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.http import AuthedHttpRequest
from marketplace.board.models import CommunityGroup, DbsRecord
from marketplace.board.services.dbs import REMINDER_DAYS, dbs_expires_on

SOON_DAYS = max(REMINDER_DAYS)


@dataclass(frozen=True)
class HeldCheck:
    record: DbsRecord
    expires_on: date
    days_left: int

    @property
    def state(self) -> str:
        if self.record.outcome != DbsRecord.Outcome.CLEAR:
            return "not_clear"
        if self.days_left <= 0:
            return "expired"
        return "soon" if self.days_left <= SOON_DAYS else "current"


def dbs_checks_held(*, group: CommunityGroup, today: date) -> list[HeldCheck]:
    """The latest record this group made for each volunteer, soonest to expire first."""
    latest = (
        DbsRecord.objects.filter(group=group)
        .select_related("user")
        .order_by("user_id", "-checked_on", "-id")
        .distinct("user_id")
    )
    held = []
    for record in latest:
        expires = dbs_expires_on(record)
        held.append(HeldCheck(record=record, expires_on=expires, days_left=(expires - today).days))
    return sorted(held, key=lambda check: (check.expires_on, check.record.pk))


@login_required
def dbs_list(request: AuthedHttpRequest, group_pk: int) -> HttpResponse:
    group = get_object_or_404(CommunityGroup, pk=group_pk)
    if not request.user.has_perm("marketplace.manage_group", group):
        raise PermissionDenied
    held = dbs_checks_held(group=group, today=timezone.localdate())
    context = {
        "group": group,
        "held": held,
        "expired": sum(1 for check in held if check.state == "expired"),
        "soon": sum(1 for check in held if check.state == "soon"),
        "soon_days": SOON_DAYS,
    }
    return render(request, "organise/dbs_list.html", context)
