"""Sponsorship against localstripe: its webhook reaches our live server over HTTP."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from coins.models import Sponsorship
from tests.conftest import STRIPE_WEBHOOK_SECRET, localstripe_webhook


def signed(payload: bytes, secret: str = STRIPE_WEBHOOK_SECRET) -> str:
    """A Stripe-Signature header for this body, as Stripe would send it now."""
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), b"%d.%s" % (stamp, payload), hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def deliver(url: str, event: dict[str, Any], *, secret: str = STRIPE_WEBHOOK_SECRET) -> int:
    """POST an event to our webhook as Stripe would; the HTTP status it answered."""
    payload = json.dumps(event).encode()
    request = urllib.request.Request(  # noqa: S310 (our own http:// test servers)
        url,
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": signed(payload, secret)},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def localstripe_get(base: str, path: str) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (our own http:// test servers)
        base + path, headers={"Authorization": "Bearer sk_test_citizencoin"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        data: dict[str, Any] = json.loads(response.read())
    return data


def wait_for(check: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for Stripe's webhook")
        time.sleep(0.1)


def status_of(sponsorship: Sponsorship) -> str:
    sponsorship.refresh_from_db()
    return sponsorship.status


@pytest.fixture
def webhook_url(live_server: Any, stripe_keys: str) -> Iterator[str]:
    """Our webhook on the live server, registered with localstripe for this test only."""
    url = f"{live_server.url}/stripe/webhook/"
    localstripe_webhook(stripe_keys, url)
    yield url
    localstripe_webhook(stripe_keys, url, events=())


@pytest.fixture
def quiet_webhook_url(live_server: Any, stripe_keys: str) -> Iterator[str]:
    """Our webhook on the live server, with localstripe sending nothing to it: the test
    delivers each event itself, in the order it chooses."""
    localstripe_webhook(stripe_keys, f"{live_server.url}/stripe/webhook/", events=())
    yield f"{live_server.url}/stripe/webhook/"
    # localstripe picks the webhooks for an event a second after it happens: let this
    # test's events pass while nothing listens, or the next test would receive them.
    time.sleep(1.5)
