"""localstripe for `make demo`: a stand-in for Stripe's API and Stripe.js, so that
sponsorship works with no account and no network.

localstripe (a dev dependency) runs as a child process on 127.0.0.1 and a free port, in
memory, launched as the tests launch it (coins/localstripe_launch.py). `environment()`
gives the STRIPE_* settings that point the site at it, and `webhook_point()` has it sign
and send its events to our webhook, as Stripe does once a webhook endpoint is set up.
"""

import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request

from django.conf import settings

from backend.embedded import process

# Test-mode keys of no account: localstripe takes any sk_test_ key.
SECRET_KEY = "sk_test_citizencoin_demo"  # noqa: S105 - no account's
PUBLISHABLE_KEY = "pk_test_citizencoin_demo"
WEBHOOK_SECRET = "whsec_citizencoin_demo"  # noqa: S105

_started: list[subprocess.Popen[str]] = []


def available() -> bool:
    return importlib.util.find_spec("localstripe") is not None


def serve(*, timeout: float = 30) -> str:
    """Start localstripe on a free port of 127.0.0.1; its base URL once it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    server = process.popen(
        [sys.executable, "-m", "coins.localstripe_launch", str(port)],
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while not _answers(base):
        if server.poll() is not None or time.monotonic() > deadline:
            process.stop(server)
            raise RuntimeError("localstripe did not start")
        time.sleep(0.1)
    _started.append(server)
    return base


def stop() -> None:
    while _started:
        process.stop(_started.pop(), timeout=10)


def environment(base: str) -> dict[str, str]:
    """The settings that send the site's Stripe calls and Stripe.js to localstripe."""
    return {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": base,
        "STRIPE_JS_URL": f"{base}/js.stripe.com/v3/",
    }


def webhook_point(base: str, url: str) -> None:
    """Have localstripe send the events our webhook handles to `url`, signed."""
    from coins.localstripe_launch import localstripe_webhook_register

    localstripe_webhook_register(base, url, WEBHOOK_SECRET)


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=1):  # noqa: S310
            return True
    except OSError:
        return False
