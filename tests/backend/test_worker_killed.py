"""A Celery worker killed with SIGKILL in the middle of sending an e-mail loses nothing
and repeats nothing: the task goes back to the broker (late acks), the claim the dead
worker left on the e-mail lapses, and the next worker sends it, once."""

import time

import pytest
from django.core.management import call_command

from coins.models import Transfer
from marketplace.board.services.hours import hours_confirm
from notifications.models import Notification
from tests.backend.workers import SmtpServer, broker, wait_for, worker_start, worker_stop
from tests.conftest import make_user
from tests.marketplace.test_hours import organiser_of
from tests.marketplace.test_hours_coins import past_shift

VISIBILITY = 2  # seconds before the broker hands a dead worker's task to another
LEASE = 2  # seconds before another run may send what a dead worker claimed


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_email_leaves_it_to_the_next_worker_which_sends_it_once(
    redis_url: str,
) -> None:
    smtp = SmtpServer()
    smtp.stall.set()
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "false",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "DELIVERY_LEASE_SECONDS": str(LEASE),
    }
    sam = make_user("sam@example.org", display_name="Sam")
    shift = past_shift(sam, hours_ago=4)
    first = worker_start(redis_url, "--concurrency=1", **env)
    try:
        with broker(redis_url):
            hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
        assert smtp.stalled.wait(60), worker_stop(first)
    finally:
        out = worker_stop(first, kill=True)  # mid-send: the server has the data, not said 250
    smtp.stall.clear()
    smtp.released.set()
    assert smtp.delivered == [], out
    note = Notification.objects.get(user=sam, kind="hours_confirmed")
    assert note.emailed_at is None  # not sent, and not marked as sent

    time.sleep(VISIBILITY + 0.5)
    second = worker_start(redis_url, "--concurrency=1", **env)
    try:
        wait_for(lambda: Notification.objects.filter(pk=note.pk, emailed_at__isnull=False))
        time.sleep(LEASE + 1)  # time enough for any second send to show
    finally:
        out = worker_stop(second)
    # Each of Sam's e-mails (the hours, then the question after the shift) went once.
    emailed = Notification.objects.filter(user=sam, emailed_at__isnull=False)
    expected = sorted(f"Subject: Citizen Coin: {n.title}" for n in emailed)
    assert sorted(_subject(m) for m in smtp.delivered) == expected, out
    assert len(expected) == Notification.objects.filter(user=sam).count() >= 1
    assert Transfer.objects.filter(kind="mint").count() == 1
    call_command("verify_ledger")


def _subject(message: bytes) -> str:
    return next(line for line in message.decode().splitlines() if line.startswith("Subject:"))
