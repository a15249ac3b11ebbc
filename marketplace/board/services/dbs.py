"""DBS records over time: the day one stops being current, and the reminders that go to
the volunteer and their group's organisers 60, 30 and 7 days before. However often the
daily task runs, each reminder goes once: a DbsReminder row per (record, days) says so,
and the database refuses a second."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import DbsRecord, DbsReminder
from notifications.services import notify

# A DBS check is commonly treated as current for three years.
DBS_CURRENT_FOR = timedelta(days=3 * 365)
REMINDER_DAYS = (60, 30, 7)


def dbs_expires_on(record: DbsRecord) -> date:
    """The first day the check no longer counts."""
    return record.checked_on + DBS_CURRENT_FOR


def dbs_reminders_send(*, today: date | None = None) -> int:
    """Remind about every clear check, still each volunteer's latest, that stops counting
    within 60 days; returns how many reminders went. A day the task missed is caught up
    on the next run, with the reminder for the days left (never the earlier ones too)."""
    today = today or timezone.localdate()
    newer = DbsRecord.objects.filter(user=OuterRef("user")).filter(
        Q(checked_on__gt=OuterRef("checked_on"))
        | Q(checked_on=OuterRef("checked_on"), pk__gt=OuterRef("pk"))
    )
    due = (
        DbsRecord.objects.filter(
            outcome=DbsRecord.Outcome.CLEAR,
            checked_on__gt=today - DBS_CURRENT_FOR,
            checked_on__lte=today + timedelta(days=max(REMINDER_DAYS)) - DBS_CURRENT_FOR,
        )
        .exclude(Exists(newer))
        .select_related("user", "group")
    )
    sent = 0
    for record in due:
        days_left = (dbs_expires_on(record) - today).days
        sent += _remind(record, days_before=min(d for d in REMINDER_DAYS if d >= days_left))
    return sent


def _remind(record: DbsRecord, *, days_before: int) -> int:
    with transaction.atomic():
        _, created = DbsReminder.objects.get_or_create(record=record, days_before=days_before)
        if not created:
            return 0
        expires = f"{dbs_expires_on(record):%-d %B %Y}"
        group = record.group
        who = f"{group.name}'s organiser" if group else "the organiser of your group"
        notify(
            recipients=[record.user],
            kind="dbs_expiring",
            title=f"Your DBS check expires on {expires}",
            body=f"Ask {who} to record your new check before then, so that you can keep "
            "signing up to shifts that need one.",
        )
        if group is not None:
            volunteer = record.user.display_name or record.user.email
            notify(
                recipients=list(User.objects.filter(organiser_memberships__group=group)),
                kind="dbs_expiring_volunteer",
                title=f"{volunteer}'s DBS check expires on {expires}",
                body=f"Record their new check for {group.name} before then, so that they "
                "can keep signing up to shifts that need one.",
                url=reverse("organise:dbs_list", args=[group.pk]),
            )
    return 1
