"""The outbox: work queued after commit survives a broker that is down, a rollback
queues nothing, and two relays at once send each waiting task once."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from celery import shared_task
from celery.signals import before_task_publish
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from accounts.services import guardian_consent_request
from backend.demo_history import _clock
from notifications.services import notify
from outbox.models import DoneOnce, OutboxMessage
from outbox.services import WorkHeld, once_claim, once_done, outbox_relay
from tests.accounts.test_guardian_consent import fourteen_year_old
from tests.backend.test_redis_down import DEAD
from tests.backend.workers import broker
from tests.conftest import REDIS_URL, make_user


@shared_task(name="tests.outbox.noted")
def noted(number: int) -> int:
    return number


@pytest.mark.django_db
def test_a_write_the_broker_could_not_take_commits_and_the_relay_sends_it_later(
    django_capture_on_commit_callbacks: Any,
) -> None:
    kai = fourteen_year_old()
    with broker(DEAD), django_capture_on_commit_callbacks(execute=True) as callbacks:
        consent = guardian_consent_request(person=kai, guardian_email="parent@example.org")
    assert callbacks  # the send was tried after commit, and failed
    assert consent.pk and not mail.outbox
    row = OutboxMessage.objects.get()
    assert row.task_name == "accounts.tasks.guardian_consent_email"
    assert row.args == [consent.pk] and row.sent_at is None
    assert row.attempts == 1 and row.last_error

    assert outbox_relay() == 0  # too young: its own send may still be on its way
    OutboxMessage.objects.update(created=timezone.now() - timedelta(minutes=1))
    if REDIS_URL:  # the broker is back: the relay hands the task to it
        with broker(REDIS_URL.replace("unix://", "redis+socket://", 1)):
            assert outbox_relay() == 1
    else:  # no Redis here: the task runs in this process, as in the other tests
        assert outbox_relay() == 1
        assert [m.to for m in mail.outbox] == [["parent@example.org"]]
    row.refresh_from_db()
    assert row.sent_at is not None and row.last_error == ""
    assert outbox_relay() == 0  # sent once


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_nothing_queued_and_sends_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    kai = fourteen_year_old()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        guardian_consent_request(person=kai, guardian_email="parent@example.org")
        raise RuntimeError("something later in the same request failed")
    assert not callbacks
    assert not OutboxMessage.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_work_queued_in_eager_mode_runs_at_commit_and_is_marked_sent(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        guardian_consent_request(person=fourteen_year_old(), guardian_email="p@example.org")
    assert [m.to for m in mail.outbox] == [["p@example.org"]]
    assert OutboxMessage.objects.get().sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_send_each_waiting_task_once() -> None:
    long_ago = timezone.now() - timedelta(minutes=5)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(task_name="tests.outbox.noted", args=[n], created=long_ago) for n in range(6)
    )
    published: list[int] = []
    first_is_publishing, second_done = threading.Event(), threading.Event()

    def note(sender: str, body: Any, **_: Any) -> None:
        published.append(body[0][0])  # protocol 2: (args, kwargs, embed)
        if threading.current_thread().name == "first" and not first_is_publishing.is_set():
            first_is_publishing.set()
            second_done.wait(10)  # hold the first relay's locks while the second runs

    went: dict[str, int] = {}

    def relay(name: str) -> None:
        try:
            went[name] = outbox_relay()
        finally:
            connection.close()

    before_task_publish.connect(note, weak=False)
    try:
        with broker("memory://"):
            first = threading.Thread(target=relay, args=("first",), name="first")
            first.start()
            assert first_is_publishing.wait(10)
            second = threading.Thread(target=relay, args=("second",), name="second")
            second.start()
            second.join(10)
            second_done.set()
            first.join(10)
    finally:
        before_task_publish.disconnect(note)
    assert went == {"first": 6, "second": 0}
    assert sorted(published) == list(range(6))
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_what_the_demo_history_would_have_sent_is_dropped_not_relayed_a_year_late() -> None:
    kai = fourteen_year_old()
    with _clock(timezone.now() - timedelta(days=300)):
        guardian_consent_request(person=kai, guardian_email="parent@example.org")
    assert not OutboxMessage.objects.exists()
    assert outbox_relay() == 0 and not mail.outbox


@pytest.mark.django_db
def test_the_relay_forgets_rows_sent_over_a_week_ago_and_keeps_the_waiting_ones() -> None:
    now = timezone.now()
    old = now - timedelta(days=8)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(task_name="tests.outbox.noted", args=[1], created=old, sent_at=old),
            OutboxMessage(task_name="tests.outbox.noted", args=[2], created=now, sent_at=now),
            OutboxMessage(task_name="tests.outbox.noted", args=[3], created=now),
        ]
    )
    outbox_relay()
    assert sorted(OutboxMessage.objects.values_list("args", flat=True)) == [[2], [3]]


@pytest.mark.django_db
def test_a_notification_email_queued_while_the_broker_is_down_goes_once_it_is_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = make_user("told-later@example.org")
    with broker(DEAD), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[person], kind="shift_message", title="Bring gloves", body="")
    assert not mail.outbox
    assert OutboxMessage.objects.get(sent_at__isnull=True).task_name == (
        "notifications.tasks.notifications_email"
    )
    OutboxMessage.objects.update(created=timezone.now() - timedelta(minutes=1))
    outbox_relay()
    outbox_relay()
    if not REDIS_URL:  # run here: the e-mail went, once
        assert [m.subject for m in mail.outbox] == ["Citizen Coin: Bring gloves"]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_work_claimed_once_is_done_once_and_a_killed_runs_claim_lapses(settings: Any) -> None:
    settings.DELIVERY_LEASE_SECONDS = 300
    assert once_claim("guardian-consent:1") is True
    with pytest.raises(WorkHeld):  # a second run while the first is still at it
        once_claim("guardian-consent:1")
    # The first run was killed before it sent: after the lease, the next run does it.
    DoneOnce.objects.update(claimed_at=timezone.now() - timedelta(minutes=6))
    assert once_claim("guardian-consent:1") is True
    once_done("guardian-consent:1")
    DoneOnce.objects.update(claimed_at=timezone.now() - timedelta(days=1))
    assert once_claim("guardian-consent:1") is False  # done is done, however long ago
