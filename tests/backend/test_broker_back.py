"""Work queued while the broker was down goes out when it is back, once: the outbox
keeps it, the relay hands it to a real worker, and running the relay again (or the
task twice) sends no second e-mail or push."""

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from notifications.models import NotificationPreference, PushSubscription
from notifications.services import notify
from outbox.models import OutboxMessage
from outbox.services import outbox_relay
from tests.backend.test_redis_down import DEAD
from tests.backend.workers import (
    PushServer,
    SmtpServer,
    broker,
    wait_for,
    worker_start,
    worker_stop,
)
from tests.conftest import make_user
from tests.notifications.conftest import AUTH, P256DH, VAPID_PRIVATE, VAPID_PUBLIC


@pytest.mark.django_db(transaction=True)
def test_the_email_and_push_queued_while_the_broker_was_down_go_once_it_is_back(
    redis_url: str, settings: Any
) -> None:
    vapid = {
        "VAPID_PUBLIC_KEY": VAPID_PUBLIC,
        "VAPID_PRIVATE_KEY": VAPID_PRIVATE,
        "VAPID_SUBJECT": "mailto:council@example.org",
    }
    for name, value in vapid.items():
        setattr(settings, name, value)
    smtp, push = SmtpServer(), PushServer()
    sam = make_user("sam@example.org")
    NotificationPreference.objects.create(
        user=sam, kind="shift_message", in_page=True, email=True, push=True
    )
    PushSubscription.objects.create(user=sam, endpoint=push.endpoint, p256dh=P256DH, auth=AUTH)

    with broker(DEAD):  # the organiser's message commits; the broker cannot take its tasks
        notify(recipients=[sam], kind="shift_message", title="Bring gloves", body="It's muddy")
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert sorted(waiting.values_list("task_name", flat=True)) == [
        "notifications.tasks.notifications_email",
        "notifications.tasks.notifications_webpush",
    ]

    env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port), "EMAIL_USE_TLS": "false"}
    worker = worker_start(redis_url, "--concurrency=1", **env, **vapid)
    try:
        waiting.update(created=timezone.now() - timedelta(minutes=1))  # older than the relay's wait
        with broker(redis_url):  # the broker is back: the minute's relay hands them on
            assert outbox_relay() == 2
            wait_for(lambda: smtp.delivered and push.received)
            assert outbox_relay() == 0  # the next minute's relay finds nothing to send
            OutboxMessage.objects.update(sent_at=None)  # as if it had died before marking them
            assert outbox_relay() == 2
            time.sleep(3)  # time enough for a second e-mail or push to show
    finally:
        out = worker_stop(worker)
    assert len(smtp.delivered) == 1, out
    assert b"Subject: Citizen Coin: Bring gloves" in smtp.delivered[0]
    assert push.received == ["/send/phone"], out
