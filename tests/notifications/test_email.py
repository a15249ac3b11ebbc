from datetime import timedelta
from typing import Any

import pytest
from celery.signals import task_prerun
from django.core import mail, signing
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from notifications.mail import notifications_email_send, unsubscribe_token
from notifications.models import Notification, NotificationPreference
from notifications.services import notify
from notifications.tasks import notifications_email
from outbox.services import WorkHeld
from tests.conftest import make_user
from tests.notifications.conftest import FakePushService, SmtpDouble, subscribe

pytestmark = pytest.mark.django_db


def tell(people: list[User], kind: str = "hours_confirmed", title: str = "3 hours confirmed"):
    return notify(recipients=people, kind=kind, title=title, body="+30 coins", url="/wallet/")


def unsubscribe_link(message: mail.EmailMessage) -> str:
    return message.extra_headers["List-Unsubscribe"].strip("<>")


def test_a_kind_people_must_not_miss_is_emailed_once_the_work_commits(
    resident: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = "https://coins.example.org"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell([resident])
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == ["resident@example.org"]
    assert message.subject == "Citizen Coin: 3 hours confirmed"
    assert "+30 coins" in message.body
    assert "Open it: https://coins.example.org/wallet/" in message.body
    link = unsubscribe_link(message)
    assert link.startswith("https://coins.example.org/notifications/unsubscribe/")
    assert f"Stop them: {link}" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get().emailed_at is not None


def test_email_turned_off_for_a_kind_sends_no_email_of_that_kind(
    django_capture_on_commit_callbacks: Any,
) -> None:
    quiet, keen = make_user("quiet@example.org"), make_user("keen@example.org")
    NotificationPreference.objects.create(
        user=quiet, kind="hours_confirmed", in_page=True, email=False, push=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        tell([quiet, keen])
    assert [m.to for m in mail.outbox] == [["keen@example.org"]]
    assert Notification.objects.filter(user=quiet, emailed_at__isnull=True).count() == 1
    # Other kinds still reach them by email.
    with django_capture_on_commit_callbacks(execute=True):
        tell([quiet], kind="coins_expiring", title="20 coins expire on 1 June")
    assert mail.outbox[-1].to == ["quiet@example.org"]


def test_kinds_that_are_not_for_email_by_default_are_not_emailed(
    resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tell([resident], kind="signup_confirmed", title="You're going")
        tell([resident], kind="a_kind_nobody_registered", title="Something new")
    assert mail.outbox == []
    assert Notification.objects.filter(in_page=True).count() == 2


def test_an_email_can_carry_its_own_subject_and_reply_to_address(
    resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[resident],
            kind="shift_message",
            title="Bring boots",
            body="It is muddy.",
            subject="Park Friends: Bring boots",
            reply_to="hello@parkfriends.example",
        )
    [message] = mail.outbox
    assert message.subject == "Park Friends: Bring boots"
    assert message.reply_to == ["hello@parkfriends.example"]
    assert unsubscribe_link(message) in message.body


def test_a_receipt_is_emailed_even_to_someone_who_turned_its_emails_off(
    resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    NotificationPreference.objects.create(
        user=resident, kind="sponsorship_receipt", in_page=True, email=False, push=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        tell([resident], kind="sponsorship_receipt", title="Receipt for your sponsorship")
    [message] = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers  # nothing to stop
    assert "We always email you this" in message.body


@pytest.mark.django_db(transaction=True)
def test_work_that_rolls_back_queues_nothing_and_sends_no_email_or_push(
    push_keys: None, push_service: FakePushService
) -> None:
    sam = make_user("sam@example.org")
    subscribe(sam)
    queued: list[str] = []

    def record(sender: Any = None, **kwargs: Any) -> None:
        queued.append(sender.name)

    task_prerun.connect(record, weak=False)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            tell([sam], kind="shift_reminder", title="Tomorrow at 10:00")
            raise RuntimeError("the work failed")
    finally:
        task_prerun.disconnect(record)
    assert queued == []
    assert mail.outbox == []
    assert push_service.calls == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_work_that_commits_queues_one_email_task_and_one_push_task(
    push_keys: None, push_service: FakePushService
) -> None:
    people = [make_user(f"v{n}@example.org") for n in range(3)]
    for person in people:
        subscribe(person, person.email)
    queued: list[str] = []

    def record(sender: Any = None, **kwargs: Any) -> None:
        queued.append(sender.name)

    task_prerun.connect(record, weak=False)
    try:
        with transaction.atomic():
            tell(people, kind="shift_reminder", title="Tomorrow at 10:00")
    finally:
        task_prerun.disconnect(record)
    assert sorted(queued) == [
        "notifications.tasks.notifications_email",
        "notifications.tasks.notifications_webpush",
    ]
    assert len(mail.outbox) == 3
    assert len(push_service.sent) == 3


def test_running_the_email_task_twice_sends_once(
    resident: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        rows = tell([resident])
    ids = [row.pk for row in rows]
    notifications_email.delay(ids)
    assert notifications_email_send(notification_ids=ids) == 0
    assert len(mail.outbox) == 1


def test_a_big_fan_out_goes_in_batches_of_100_over_one_connection(
    smtp: type[SmtpDouble], django_capture_on_commit_callbacks: Any
) -> None:
    people = [make_user(f"v{n}@example.org") for n in range(250)]
    with django_capture_on_commit_callbacks(execute=True):
        tell(people, kind="shift_cancelled", title="Saturday's litter pick is cancelled")
    assert smtp.batches == [100, 100, 50]
    assert smtp.opened == 1
    assert len({m.to[0] for m in mail.outbox}) == 250


def test_a_dropped_connection_gives_the_batch_back_for_the_retry(
    resident: User, smtp: type[SmtpDouble]
) -> None:
    ids = [row.pk for row in tell([resident])]
    smtp.fail_next = True
    with pytest.raises(ConnectionResetError):
        notifications_email_send(notification_ids=ids)
    assert Notification.objects.get().emailed_at is None
    assert notifications_email_send(notification_ids=ids) == 1
    assert len(mail.outbox) == 1


def test_an_email_another_run_is_sending_waits_for_it_and_one_a_killed_run_left_is_sent(
    resident: User, settings: Any
) -> None:
    settings.DELIVERY_LEASE_SECONDS = 300
    ids = [row.pk for row in tell([resident])]
    claimed = timezone.now() - timedelta(seconds=60)  # a run a minute into sending it
    Notification.objects.filter(pk__in=ids).update(email_claimed_at=claimed)
    with pytest.raises(WorkHeld) as held:
        notifications_email_send(notification_ids=ids)
    assert 239 <= held.value.seconds <= 241  # look again when that run's claim lapses
    assert mail.outbox == []

    # That run was killed: once its claim is older than the lease, the e-mail goes.
    Notification.objects.filter(pk__in=ids).update(email_claimed_at=claimed - timedelta(hours=1))
    assert notifications_email_send(notification_ids=ids) == 1
    assert notifications_email_send(notification_ids=ids) == 0
    assert [m.to for m in mail.outbox] == [["resident@example.org"]]


def test_the_email_task_tries_again_while_another_run_holds_the_email(
    resident: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [row.pk for row in tell([resident])]
    Notification.objects.filter(pk__in=ids).update(email_claimed_at=timezone.now())
    retried: list[int] = []

    def retry(**kwargs: Any) -> Exception:
        retried.append(kwargs["countdown"])
        return RuntimeError("retrying")

    monkeypatch.setattr(notifications_email, "retry", retry)
    with pytest.raises(RuntimeError, match="retrying"):
        notifications_email(ids)
    [countdown] = retried  # once the claim just made lapses
    assert settings.DELIVERY_LEASE_SECONDS - 1 <= countdown <= settings.DELIVERY_LEASE_SECONDS + 1
    assert mail.outbox == []


def test_the_unsubscribe_link_asks_first_then_stops_that_kind_only(
    resident: User, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tell([resident])
    link = unsubscribe_link(mail.outbox[0]).removeprefix("http://127.0.0.1:8000")

    page = client.get(link)  # what a link scanner does: nothing changes
    assert page.status_code == 200
    assert "Stop these emails" in page.content.decode()
    assert not NotificationPreference.objects.exists()

    done = client.post(link)
    assert "Emails stopped" in done.content.decode()
    pref = NotificationPreference.objects.get(user=resident, kind="hours_confirmed")
    assert (pref.in_page, pref.email, pref.push) == (True, False, False)
    with django_capture_on_commit_callbacks(execute=True):
        tell([resident])
        tell([resident], kind="coins_expiring", title="20 coins expire soon")
    assert [m.subject for m in mail.outbox[1:]] == ["Citizen Coin: 20 coins expire soon"]


def test_one_click_unsubscribe_from_a_mail_client_needs_no_csrf_token(resident: User) -> None:
    token = unsubscribe_token(user_id=resident.pk, kind="shift_reminder")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert not NotificationPreference.objects.get(user=resident, kind="shift_reminder").email


def test_a_forged_or_mangled_unsubscribe_link_is_refused_with_a_clear_page(
    resident: User, client: Client
) -> None:
    other = make_user("other@example.org")
    real = unsubscribe_token(user_id=resident.pk, kind="hours_confirmed")
    _payload, signature = real.rsplit(":", 1)
    forged_payload = signing.b64_encode(f'[{other.pk},"hours_confirmed"]'.encode()).decode()
    for token in (
        f"{forged_payload}:{signature}",  # someone else's id under this signature
        real[:-3],  # cut short by a mail client
        "not-a-token",
        signing.dumps([resident.pk, "hours_confirmed"], salt="some.other.purpose"),
        signing.dumps({"user": resident.pk}, salt="notifications.unsubscribe"),
    ):
        for method in (client.get, client.post):
            response = method(f"/notifications/unsubscribe/{token}/")
            assert response.status_code == 400, token
            assert "This link doesn't work" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_an_unsubscribe_link_for_an_erased_account_is_refused(client: Client) -> None:
    gone = make_user("gone@example.org")
    token = unsubscribe_token(user_id=gone.pk, kind="hours_confirmed")
    gone.delete()
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 400
