"""Doubles for the boundaries notifications talk to and we do not own: the browsers'
push services (pywebpush.webpush) and the SMTP server (an email backend)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from django.core.mail.backends.locmem import EmailBackend
from pywebpush import WebPushException

from accounts.models import User
from notifications.models import PushSubscription

# A real pair (manage.py vapid_keys); the private key is for these tests only.
VAPID_PUBLIC = (
    "BCs9xfa0LURA-CxUNDE537t9goM9njgwjq3eFVGUzv1cSB9nFAh1Zfgc6akOTIYmAYeDS1CGfrAFcKVWupbb2rs"
)
VAPID_PRIVATE = "mzCTc7g4zTFsIsFBIygQIebCQOBuI3wyypEtLsbArkQ"
# What a browser's PushSubscription.toJSON() holds: a 65-byte P-256 point and 16 bytes.
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


@dataclass
class FakePushService:
    """Stands in for pywebpush.webpush. `answers` maps an endpoint to the statuses it
    gives in turn (201 once they run out)."""

    answers: dict[str, list[int]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0

    def __call__(self, *, subscription_info: dict[str, Any], **kwargs: Any) -> None:
        self.calls += 1
        endpoint = subscription_info["endpoint"]
        queue = self.answers.get(endpoint, [])
        status = queue.pop(0) if queue else 201
        if status > 202:
            response = requests.Response()
            response.status_code = status
            raise WebPushException(f"Push failed: {status}", response=response)
        self.sent.append({"endpoint": endpoint, **kwargs})


@pytest.fixture
def push_service(monkeypatch: pytest.MonkeyPatch) -> FakePushService:
    fake = FakePushService()
    monkeypatch.setattr("pywebpush.webpush", fake)
    return fake


@pytest.fixture
def push_keys(settings: Any) -> None:
    settings.VAPID_PUBLIC_KEY = VAPID_PUBLIC
    settings.VAPID_PRIVATE_KEY = VAPID_PRIVATE
    settings.VAPID_SUBJECT = "mailto:council@example.org"


def subscribe(user: User, name: str = "phone") -> PushSubscription:
    return PushSubscription.objects.create(
        user=user, endpoint=f"https://push.example.net/send/{name}", p256dh=P256DH, auth=AUTH
    )


class SmtpDouble(EmailBackend):
    """The locmem backend, counting connections and batches like an SMTP server would
    see them; `fail_next` makes the next send fail as a dropped connection does."""

    opened = 0
    batches: list[int] = []  # shared on purpose: Django makes a backend per get_connection()
    fail_next = False

    def open(self) -> bool:
        if getattr(self, "_open", False):
            return False
        self._open = True
        SmtpDouble.opened += 1
        return True

    def close(self) -> None:
        self._open = False

    def send_messages(self, messages: Any) -> int:
        if SmtpDouble.fail_next:
            SmtpDouble.fail_next = False
            raise ConnectionResetError("the server went away")
        SmtpDouble.batches.append(len(messages))
        return super().send_messages(messages)


@pytest.fixture
def smtp(settings: Any) -> Iterator[type[SmtpDouble]]:
    settings.EMAIL_BACKEND = "tests.notifications.conftest.SmtpDouble"
    SmtpDouble.opened, SmtpDouble.batches, SmtpDouble.fail_next = 0, [], False
    yield SmtpDouble
