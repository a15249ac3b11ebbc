"""DBS checks over time: the organisers' list of the checks their group holds, the
reminders before one stops counting (each sent once, however often the task runs), and
an expired check named as expired at sign-up."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import CommunityGroup, DbsRecord, DbsReminder, GroupOrganiser
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.dbs import DBS_CURRENT_FOR
from marketplace.board.services.signups import signup_create
from marketplace.board.tasks import dbs_reminders
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db


def expiring_in(days: int, *, user: User, group: CommunityGroup | None = None) -> DbsRecord:
    """A clear check that stops counting `days` from today."""
    checked = timezone.localdate() + timedelta(days=days) - DBS_CURRENT_FOR
    return DbsRecord.objects.create(
        user=user, outcome=DbsRecord.Outcome.CLEAR, checked_on=checked, group=group
    )


def test_the_reminder_task_run_twice_sends_each_reminder_once_at_60_30_and_7_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    group = make_group()
    organiser = GroupOrganiser.objects.get(group=group).user
    vi = make_user("vi@example.org", display_name="Vi")
    record = expiring_in(61, user=vi, group=group)
    today = timezone.localdate()
    expires = f"{record.checked_on + DBS_CURRENT_FOR:%-d %B %Y}"

    for days_left in (61, 60, 59, 45, 31, 30, 29, 8, 7, 6, 1):
        day = today + timedelta(days=61 - days_left)
        monkeypatch.setattr(timezone, "localdate", lambda day=day: day)
        dbs_reminders.delay()
        dbs_reminders.delay()  # a second run the same day sends nothing more

    sent = set(DbsReminder.objects.values_list("record_id", "days_before"))
    assert sent == {(record.pk, 60), (record.pk, 30), (record.pk, 7)}
    mine = Notification.objects.filter(user=vi, kind="dbs_expiring")
    theirs = Notification.objects.filter(user=organiser, kind="dbs_expiring_volunteer")
    assert mine.count() == 3 and theirs.count() == 3
    assert set(mine.values_list("title", flat=True)) == {f"Your DBS check expires on {expires}"}
    assert set(theirs.values_list("title", flat=True)) == {f"Vi's DBS check expires on {expires}"}
    assert theirs.first().url == f"/organise/groups/{group.pk}/dbs/checks/"  # type: ignore[union-attr]


def test_a_renewed_or_not_clear_or_far_off_check_gets_no_reminder() -> None:
    group = make_group()
    renewed = make_user("renewed@example.org")
    expiring_in(20, user=renewed, group=group)
    DbsRecord.objects.create(
        user=renewed, outcome="clear", checked_on=timezone.localdate(), group=group
    )
    not_clear = make_user("nc@example.org")
    DbsRecord.objects.create(
        user=not_clear,
        outcome="not_clear",
        checked_on=timezone.localdate() + timedelta(days=20) - DBS_CURRENT_FOR,
        group=group,
    )
    expiring_in(90, user=make_user("later@example.org"), group=group)
    expiring_in(0, user=make_user("gone@example.org"), group=group)
    assert dbs_reminders.delay().get() == 0
    assert not Notification.objects.filter(kind__startswith="dbs_").exists()


def test_a_check_found_late_gets_only_the_reminder_for_the_days_left() -> None:
    vi = make_user("vi@example.org")
    record = expiring_in(25, user=vi)  # no group recorded it: only Vi is told
    assert dbs_reminders.delay().get() == 1
    assert list(DbsReminder.objects.values_list("record_id", "days_before")) == [(record.pk, 30)]
    assert Notification.objects.get(kind="dbs_expiring").user == vi


def test_the_reminders_run_daily_on_celery_beat() -> None:
    entry: dict[str, Any] = settings.CELERY_BEAT_SCHEDULE["dbs-reminders"]
    assert entry["task"] == "marketplace.board.tasks.dbs_reminders"
    assert entry["schedule"].hour == {8}


def test_an_expired_check_is_named_as_expired_at_sign_up(client: Client) -> None:
    shift = make_shift(dbs_required=True)
    vi = make_user("vi@example.org", display_name="Vi")
    expired = timezone.localdate() - timedelta(days=10)
    DbsRecord.objects.create(user=vi, outcome="clear", checked_on=expired - DBS_CURRENT_FOR)
    message = (
        f"Your DBS check expired on {expired:%-d %B %Y}. Ask the group's organiser to record "
        "your new one, then sign up."
    )
    with pytest.raises(SignupRefused) as refused:
        signup_create(shift=shift, user=vi)
    assert str(refused.value) == message
    client.force_login(vi)
    response = client.post(f"/shifts/{shift.pk}/sign-up/", follow=True)
    assert response.redirect_chain[-1][0] == f"/opportunities/{shift.opportunity_id}/"
    assert message.replace("'", "&#x27;") in response.content.decode()
    # A check that counts until tomorrow still counts today.
    DbsRecord.objects.create(
        user=vi, outcome="clear", checked_on=timezone.localdate() + timedelta(1) - DBS_CURRENT_FOR
    )
    assert signup_create(shift=shift, user=vi).status == "confirmed"


def test_organisers_see_the_checks_they_hold_soonest_to_expire_first(client: Client) -> None:
    group = make_group()
    other = make_group("Food Bank")
    today = timezone.localdate()
    expiring_in(20, user=make_user("soon@example.org", display_name="Soon"), group=group)
    expiring_in(400, user=make_user("fine@example.org", display_name="Fine"), group=group)
    expiring_in(-3, user=make_user("gone@example.org", display_name="Gone"), group=group)
    expiring_in(20, user=make_user("theirs@example.org", display_name="Theirs"), group=other)
    make_shift(group=group)  # the dashboard lists a group's links beside its opportunities
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    page = client.get(f"/organise/groups/{group.pk}/dbs/checks/").content.decode()
    assert "3 volunteers · <strong>1 expired</strong>" in page
    assert "<strong>1 expires in the next 60 days</strong>" in page
    assert page.index("Gone") < page.index("Soon") < page.index("Fine")
    assert "Theirs" not in page
    assert f"on {today + timedelta(days=20):%-d %B %Y}, in 20 days" in page
    dashboard = client.get("/organise/").content.decode()
    assert f'href="/organise/groups/{group.pk}/dbs/checks/"' in dashboard


def test_only_the_groups_organisers_see_its_dbs_checks(client: Client, resident: User) -> None:
    group = make_group()
    client.force_login(resident)
    assert client.get(f"/organise/groups/{group.pk}/dbs/checks/").status_code == 403


def test_expiry_is_three_years_after_the_check() -> None:
    record = DbsRecord(checked_on=date(2023, 5, 3))
    from marketplace.board.services.dbs import dbs_expires_on

    assert dbs_expires_on(record) == date(2023, 5, 3) + timedelta(days=3 * 365)
