import io
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.test import Client
from py_vapid import Vapid
from py_vapid.utils import b64urlencode

from accounts.models import User
from notifications.models import Notification, NotificationPreference, PushSubscription
from notifications.push import PushDeferred, notifications_webpush_send
from notifications.services import notify
from notifications.tasks import notifications_webpush
from tests.conftest import make_user
from tests.notifications.conftest import AUTH, P256DH, VAPID_PUBLIC, FakePushService, subscribe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("push_keys")]


def pay(person: User, *, commit: Any) -> list[Notification]:
    """A till sale: coins_spent is pushed by default."""
    with commit(execute=True):
        return notify(
            recipients=[person],
            kind="coins_spent",
            title="You paid 12 coins at Rosie's Café",
            body="Tea and cake",
            url="/rewards/codes/4/",
        )


def test_a_notification_is_pushed_to_every_phone_of_its_person_and_nobody_else(
    resident: User, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    other = make_user("other@example.org")
    for person, device in ((resident, "phone"), (resident, "tablet"), (other, "theirs")):
        subscribe(person, device)
    [row] = pay(resident, commit=django_capture_on_commit_callbacks)
    assert sorted(push["endpoint"] for push in push_service.sent) == [
        "https://push.example.net/send/phone",
        "https://push.example.net/send/tablet",
    ]
    push = push_service.sent[0]
    assert json.loads(push["data"]) == {
        "title": "You paid 12 coins at Rosie's Café",
        "body": "Tea and cake",
        "url": "/rewards/codes/4/",
        "tag": f"notification-{row.pk}",
    }
    assert push["vapid_claims"]["sub"] == "mailto:council@example.org"
    row.refresh_from_db()
    assert row.pushed_at is not None


def test_a_subscription_answering_410_or_404_is_removed(
    resident: User, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    for name in ("uninstalled", "forgotten", "working"):
        subscribe(resident, name)
    push_service.answers = {
        "https://push.example.net/send/uninstalled": [410],
        "https://push.example.net/send/forgotten": [404],
    }
    pay(resident, commit=django_capture_on_commit_callbacks)
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        "https://push.example.net/send/working"
    ]
    # The next notification goes only to the phone that is still there.
    push_service.sent.clear()
    pay(resident, commit=django_capture_on_commit_callbacks)
    assert [p["endpoint"] for p in push_service.sent] == ["https://push.example.net/send/working"]


def test_a_push_service_that_is_down_gets_the_notification_later(
    resident: User, push_service: FakePushService
) -> None:
    subscribe(resident)
    rows = notify(recipients=[resident], kind="shift_reminder", title="Tomorrow 10:00", body="")
    ids = [row.pk for row in rows]
    push_service.answers = {"https://push.example.net/send/phone": [503]}
    with pytest.raises(PushDeferred):
        notifications_webpush_send(notification_ids=ids)
    assert Notification.objects.get().pushed_at is None  # given back for the retry
    assert PushSubscription.objects.exists()
    assert notifications_webpush_send(notification_ids=ids) == 1
    assert PushDeferred in getattr(notifications_webpush, "autoretry_for", ())  # and later


def test_running_the_push_task_twice_pushes_once(
    resident: User, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(resident)
    rows = pay(resident, commit=django_capture_on_commit_callbacks)
    notifications_webpush.delay([row.pk for row in rows])
    assert len(push_service.sent) == 1


def test_push_turned_off_for_a_kind_pushes_nothing_of_that_kind(
    resident: User, push_service: FakePushService, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(resident)
    NotificationPreference.objects.create(
        user=resident, kind="coins_spent", in_page=True, email=False, push=False
    )
    pay(resident, commit=django_capture_on_commit_callbacks)
    assert push_service.calls == 0
    assert Notification.objects.get().pushed_at is None


def test_without_vapid_keys_push_is_not_offered_and_nothing_breaks(
    resident: User,
    client: Client,
    settings: Any,
    push_service: FakePushService,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    subscribe(resident)
    pay(resident, commit=django_capture_on_commit_callbacks)
    assert push_service.calls == 0
    client.force_login(resident)
    assert "data-push" not in client.get("/notifications/").content.decode()
    assert ".push" not in client.get("/notifications/preferences/").content.decode()
    response = client.post(
        "/notifications/push/subscribe/", {"endpoint": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


def browser_subscription(endpoint: str = "https://fcm.example.com/send/abc") -> dict[str, Any]:
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": P256DH, "auth": AUTH}}


def csrf_client(user: User) -> tuple[Client, dict[str, str]]:
    """A browser: session cookie and the CSRF token push.js sends as a header."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/notifications/")
    return client, {"X-CSRFToken": client.cookies["csrftoken"].value}


def test_a_phone_subscribes_with_its_subscription_json_and_can_unsubscribe(
    resident: User,
) -> None:
    client, headers = csrf_client(resident)
    page = client.get("/notifications/").content.decode()
    assert f'data-vapid-key="{VAPID_PUBLIC}"' in page
    body = json.dumps(browser_subscription())
    url = "/notifications/push/subscribe/"
    response = client.post(url, body, content_type="application/json", headers=headers)
    assert response.status_code == 201
    again = client.post(url, body, content_type="application/json", headers=headers)
    assert again.status_code == 201
    saved = PushSubscription.objects.get()
    assert (saved.user, saved.p256dh, saved.auth) == (resident, P256DH, AUTH)

    gone = client.post(
        "/notifications/push/unsubscribe/",
        json.dumps({"endpoint": "https://fcm.example.com/send/abc"}),
        content_type="application/json",
        headers=headers,
    )
    assert gone.json() == {"removed": 1}
    assert not PushSubscription.objects.exists()


def test_a_phone_handed_on_to_someone_else_notifies_the_new_person(resident: User) -> None:
    subscribe(make_user("before@example.org"), "shared")
    client, headers = csrf_client(resident)
    client.post(
        "/notifications/push/subscribe/",
        json.dumps(browser_subscription("https://push.example.net/send/shared")),
        content_type="application/json",
        headers=headers,
    )
    assert PushSubscription.objects.get().user == resident


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "Send the subscription as JSON."),
        ("[]", "endpoint must be the push service's https:// URL."),
        (
            json.dumps({**browser_subscription(), "endpoint": "http://10.0.0.1/"}),
            "endpoint must be the push service's https:// URL.",
        ),
        (json.dumps({"endpoint": "https://fcm.example.com/x"}), "keys must hold p256dh and auth."),
        (
            json.dumps({**browser_subscription(), "keys": {"p256dh": "abc", "auth": AUTH}}),
            "keys.p256dh must be 65 bytes.",
        ),
        (
            json.dumps({**browser_subscription(), "keys": {"p256dh": P256DH, "auth": "a b"}}),
            "keys.auth must be a base64url string.",
        ),
    ],
)
def test_a_bad_subscription_gets_a_400_that_says_what_is_wrong(
    resident: User, body: str, message: str
) -> None:
    client, headers = csrf_client(resident)
    response = client.post(
        "/notifications/push/subscribe/", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert response.json() == {"detail": message}
    assert not PushSubscription.objects.exists()


def test_subscribing_needs_a_session_and_the_csrf_token(resident: User) -> None:
    body = json.dumps(browser_subscription())
    anonymous = Client()  # past the CSRF check, still no session
    url = "/notifications/push/subscribe/"
    assert anonymous.post(url, body, content_type="application/json").status_code == 401
    client, _ = csrf_client(resident)
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert not PushSubscription.objects.exists()


def test_the_vapid_keys_command_prints_a_pair_that_signs_for_web_push() -> None:
    out = io.StringIO()
    call_command("vapid_keys", stdout=out)
    lines = dict(
        line.split("=", 1) for line in out.getvalue().splitlines() if not line.startswith("#")
    )
    vapid = Vapid.from_string(lines["VAPID_PRIVATE_KEY"])
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert b64urlencode(public) == lines["VAPID_PUBLIC_KEY"]
    assert lines["VAPID_SUBJECT"].startswith("mailto:")
    headers = vapid.sign({"sub": "mailto:a@example.org", "aud": "https://push.example.net"})
    assert headers["Authorization"].startswith("vapid t=")
