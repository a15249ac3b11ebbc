import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.test import Client

from accounts.models import User
from notifications.kinds import KINDS, kind_for
from notifications.models import Notification, NotificationPreference
from notifications.services import notify, user_group
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

MUST_NOT_MISS_BY_EMAIL = [
    "signup_promoted",
    "shift_changed",
    "shift_cancelled",
    "shift_reminder",
    "hours_confirmed",
    "hours_rejected",
    "coins_expiring",
    "group_verified",
    "group_rejected",
    "retailer_verified",
    "retailer_rejected",
    "shift_message",
    "pulse",  # the link in the e-mail is how most answer it
    "dbs_expiring",
    "dbs_expiring_volunteer",
]
TIME_SENSITIVE_BY_PUSH = [
    "shift_reminder",
    "signup_promoted",
    "shift_changed",
    "shift_cancelled",
    "coins_spent",
    "coins_received",
]


def test_by_default_everything_is_in_the_page_what_matters_emailed_and_what_is_urgent_pushed() -> (
    None
):
    assert {kind.key for kind in KINDS.values()} >= {
        "shift_changed",
        "shift_cancelled",
        "shift_reminder",
        "coins_received",
        "sale_made",
        "sale_refunded",
        "saved_search_match",
    }
    for kind in KINDS.values():
        assert kind.label and kind.defaults.in_page
    assert {k for k, kind in KINDS.items() if kind.email} == set(MUST_NOT_MISS_BY_EMAIL)
    assert {k for k, kind in KINDS.items() if kind.push} == set(TIME_SENSITIVE_BY_PUSH)


def test_a_kind_nobody_registered_is_shown_in_the_page_only() -> None:
    unknown = kind_for("something_new")
    assert (unknown.defaults.in_page, unknown.defaults.email, unknown.defaults.push) == (
        True,
        False,
        False,
    )


def test_preferences_for_every_recipient_are_read_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    people = [make_user(f"v{n}@example.org") for n in range(20)]
    NotificationPreference.objects.create(
        user=people[0], kind="shift_reminder", in_page=False, email=False, push=False
    )
    # The preferences, one insert for all rows, and one outbox row for all their e-mails.
    with django_assert_num_queries(3):
        rows = notify(recipients=people, kind="shift_reminder", title="Tomorrow", body="")
    assert [row.in_page for row in rows] == [False] + [True] * 19


def new_channel(user: User) -> tuple[Any, str]:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.pk), channel)
    return layer, channel


def socket_got_nothing(layer: Any, channel: str) -> bool:
    async def wait() -> bool:
        try:
            await asyncio.wait_for(layer.receive(channel), timeout=0.3)
        except TimeoutError:
            return True
        return False

    return async_to_sync(wait)()


def test_a_kind_turned_off_in_the_page_is_kept_but_not_listed_counted_or_sent_live(
    resident: User, client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    NotificationPreference.objects.create(
        user=resident, kind="hours_confirmed", in_page=False, email=True, push=False
    )
    layer, channel = new_channel(resident)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], kind="hours_confirmed", title="3 hours confirmed", body="")
    assert socket_got_nothing(layer, channel)
    row = Notification.objects.get()
    assert not row.in_page and row.read_at is not None and row.emailed_at is not None
    assert len(mail.outbox) == 1
    client.force_login(resident)
    page = client.get("/notifications/").content.decode()
    assert "3 hours confirmed" not in page
    assert "You have no notifications yet." in page
    assert "data-unread-badge hidden" in page


def test_the_preferences_page_lists_every_kind_with_a_box_per_channel(
    resident: User, client: Client
) -> None:
    client.force_login(resident)
    page = client.get("/notifications/preferences/").content.decode()
    for kind in KINDS.values():
        assert f"<legend>{kind.label}</legend>" in page
        assert f'name="{kind.key}.in_page" checked' in page
        assert (f'name="{kind.key}.email" checked' in page) == kind.email


def test_saving_the_preferences_page_changes_what_reaches_the_person(
    resident: User, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(resident)
    ticked = {f"{key}.in_page": "on" for key in KINDS}
    ticked |= {f"{key}.email": "on" for key, kind in KINDS.items() if kind.email}
    del ticked["shift_reminder.email"]  # no reminder emails, please
    ticked["coins_received.email"] = "on"  # but do email me gifts
    response = client.post("/notifications/preferences/", ticked, follow=True)
    assert "Your choices are saved." in response.content.decode()
    # Only the two changes are stored; everything else follows the defaults.
    saved = {p.kind: (p.in_page, p.email) for p in NotificationPreference.objects.all()}
    assert saved == {"shift_reminder": (True, False), "coins_received": (True, True)}
    page = response.content.decode()
    assert 'name="shift_reminder.email" checked' not in page
    assert 'name="coins_received.email" checked' in page

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], kind="shift_reminder", title="Tomorrow", body="")
        notify(recipients=[resident], kind="coins_received", title="10 coins from Jo", body="")
    assert [m.subject for m in mail.outbox] == ["Citizen Coin: 10 coins from Jo"]

    # Putting things back as they were leaves no rows behind.
    ticked["shift_reminder.email"] = "on"
    del ticked["coins_received.email"]
    client.post("/notifications/preferences/", ticked)
    assert not NotificationPreference.objects.exists()


def test_without_phone_notifications_on_offer_saving_keeps_earlier_push_choices(
    resident: User, client: Client, settings: Any
) -> None:
    settings.VAPID_PUBLIC_KEY = ""
    NotificationPreference.objects.create(
        user=resident, kind="coins_spent", in_page=True, email=False, push=False
    )
    client.force_login(resident)
    ticked = {f"{key}.in_page": "on" for key in KINDS}
    client.post("/notifications/preferences/", ticked)
    assert not NotificationPreference.objects.get(kind="coins_spent").push
    assert NotificationPreference.objects.get(kind="shift_reminder").push  # default kept


def test_the_preferences_page_needs_a_login(client: Client) -> None:
    response = client.get("/notifications/preferences/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
