"""Queue a Celery task in the caller's transaction and hand it on after commit; the
relay sends what the broker could not take then. Delivery is at least once: a process
that dies between handing a task on and marking it sent sends it again, so every task
queued here must be safe to run twice (`once_claim` helps the ones that send e-mail)."""

import importlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import DoneOnce, OutboxMessage

log = logging.getLogger(__name__)

# The relay leaves younger rows alone: their own after-commit send is still on its way.
RELAY_AFTER = timedelta(seconds=30)
RELAY_BATCH = 100
# Sent rows are kept a week, for looking into what went; the once-keys a month, far
# longer than any resend of the task they guard can come.
KEEP_SENT = timedelta(days=7)
KEEP_ONCE = timedelta(days=30)


def outbox_enqueue(task_name: str, /, *args: Any, **kwargs: Any) -> OutboxMessage:
    """Store a call of the named task in the current transaction and try to send it once
    that commits. A rollback leaves no row and sends nothing; a broker that is down
    leaves the row unsent (logged) for `outbox_relay`. Arguments must be JSON."""
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args), kwargs=kwargs)
    pk = message.pk
    transaction.on_commit(lambda: outbox_send(ids=[pk]), robust=True)
    return message


def outbox_relay(*, older_than: timedelta = RELAY_AFTER, batch: int = RELAY_BATCH) -> int:
    """Send every unsent row older than `older_than`, a batch at a time; returns how many
    went. Rows another relay holds are skipped (SKIP LOCKED), so two relays at once never
    send one row twice; the first row the broker refuses ends the run. Then forgets
    rows sent over a week ago."""
    now = timezone.now()
    OutboxMessage.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    DoneOnce.objects.filter(created__lt=now - KEEP_ONCE).delete()
    cutoff = now - older_than
    sent, after = 0, 0
    while True:
        ids = list(
            OutboxMessage.objects.filter(sent_at__isnull=True, created__lte=cutoff, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return sent
        went, refused = _send(ids)
        sent += went
        if refused:
            return sent
        after = ids[-1]


def outbox_send(*, ids: Iterable[int]) -> int:
    """Hand these rows' tasks on now, those still unsent and not held by another sender;
    returns how many went. Never raises: what fails stays unsent, with its error."""
    try:
        return _send(list(ids))[0]
    except Exception:  # the database itself: the relay tries again later
        log.exception("Could not send outbox rows %s", ids)
        return 0


def _send(ids: list[int]) -> tuple[int, bool]:
    """(how many went, whether the broker refused one)."""
    if current_app.conf.task_always_eager:
        return _run_here(ids), False
    with transaction.atomic():
        # The lock is held while publishing: a second sender skips these rows, and a
        # publish that fails leaves them unsent. A crash after publishing, before the
        # commit, sends again later: at least once.
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, sent_at__isnull=True)
            .order_by("pk")
        )
        done: list[int] = []
        try:
            # One producer, so one broker connection, for the whole batch.
            with current_app.producer_or_acquire() as producer:
                for row in rows:
                    _hand_on(row, producer)
                    done.append(row.pk)
        except Exception as error:
            if len(done) < len(rows):
                row = rows[len(done)]
                log.warning("Broker refused outbox row %s (%s): %s", row.pk, row.task_name, error)
                _failed(row.pk, error)
        OutboxMessage.objects.filter(pk__in=done).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
    return len(done), len(done) < len(rows)


def _run_here(ids: list[int]) -> int:
    """Eager mode (tests, CELERY_TASK_ALWAYS_EAGER): claim the rows, then run each task
    in this process outside any lock, as a `.delay` after commit did; a task that fails
    is logged, as a robust on-commit callback's failure was."""
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, sent_at__isnull=True)
            .order_by("pk")
        )
        OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
    for row in rows:
        try:
            _hand_on(row)
        except Exception as error:
            log.exception("Outbox task %s (row %s) failed", row.task_name, row.pk)
            OutboxMessage.objects.filter(pk=row.pk).update(last_error=str(error)[:1000])
    return len(rows)


def _failed(pk: int, error: Exception) -> None:
    OutboxMessage.objects.filter(pk=pk).update(
        attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:1000]
    )


def _hand_on(row: OutboxMessage, producer: Any = None) -> None:
    task = _task(row.task_name)
    if task is None:  # not importable here: a worker elsewhere may know it
        current_app.send_task(row.task_name, args=row.args, kwargs=row.kwargs, producer=producer)
    else:
        task.apply_async(args=row.args, kwargs=row.kwargs, producer=producer)


def _task(name: str) -> Task | None:
    """The registered task of this name, importing its module ("app.tasks.x") if need be."""
    tasks = current_app.tasks
    if name not in tasks:
        try:
            importlib.import_module(name.rpartition(".")[0])
        except ImportError:
            return None
    found: Task | None = tasks.get(name)
    return found


class WorkHeld(Exception):
    """Another run has claimed this work and its lease has not run out: it may still be
    doing it. Try again in `seconds`, when the claim is either done or lapsed."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"claimed by another run; try again in {seconds} s")
        self.seconds = seconds


class WaitsForHeldWork(Task):
    """A task base for work another run may hold (`WorkHeld`): the task tries again once
    that run's claim lapses, instead of failing or doing the work a second time."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except WorkHeld as held:
            raise self.retry(countdown=held.seconds) from held


def lease() -> timedelta:
    """How long a claim on outside work holds: longer than sending a batch of e-mail takes,
    short enough that work a killed worker claimed is done soon after."""
    return timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)


def held_for(claimed_at: datetime, now: datetime) -> int:
    """Seconds until a claim made at `claimed_at` lapses (at least one)."""
    return max(int((claimed_at + lease() - now).total_seconds()) + 1, 1)


def once_claim(key: str) -> bool:
    """Claim a piece of outside work (an e-mail) by key: True if this run should do it,
    False once it is done. A claim another run holds raises WorkHeld; one older than the
    lease (its worker was killed) is taken over. A task runs outside a transaction, so
    the claim commits at once; mark it `once_done` after the work, or give it back with
    `once_release` if the work failed."""
    now = timezone.now()
    with transaction.atomic():
        row, made = DoneOnce.objects.select_for_update().get_or_create(
            key=key, defaults={"claimed_at": now}
        )
        if made:
            return True
        if row.done_at is not None:
            return False
        if row.claimed_at > now - lease():
            raise WorkHeld(held_for(row.claimed_at, now))
        row.claimed_at = now
        row.save(update_fields=["claimed_at"])
    return True


def done_once(key: str, work: Callable[[], int]) -> int:
    """Do a piece of outside work (send an e-mail) under a key, once: returns what `work`
    returns, or 0 if it was done before; raises WorkHeld while another run is at it. A
    refusal on the way (an OSError: the mail server) gives the key back for the retry."""
    if not once_claim(key):
        return 0
    try:
        result = work()
    except OSError:
        once_release(key)
        raise
    once_done(key)
    return result


def once_done(key: str) -> None:
    """The claimed work happened: no later run does it again."""
    DoneOnce.objects.filter(key=key).update(done_at=timezone.now())


def once_release(key: str) -> None:
    """The claimed work did not happen (the mail server refused): a retry may do it."""
    DoneOnce.objects.filter(key=key).delete()
