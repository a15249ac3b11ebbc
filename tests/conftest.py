import io
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_migrate

from accounts.models import User
from backend.celery import app as celery_app
from coins.localstripe_launch import STRIPE_EVENTS as STRIPE_EVENTS_HANDLED
from places.loader import postcodes_sample_load
from places.models import Postcode

PASSWORD = "a-long-test-password-9"


def pytest_configure(config: pytest.Config) -> None:
    # A fresh key space per run, so that a shared Redis carries nothing between runs
    # (allauth's rate limits live in the cache).
    prefix = f"cc-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES["default"]["KEY_PREFIX"] = prefix
    layer: dict[str, Any] = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer:
        layer["CONFIG"]["prefix"] = f"{prefix}:asgi"
    # Hashing a password properly takes a deliberate ~100 ms; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in the test's own process unless a test asks for the real worker.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    # The ledger's tables refuse TRUNCATE (coins.models.truncate_refused) save in a session
    # that allows it: the test database's, so that a transactional test's flush empties them.
    database = settings.DATABASES["default"].setdefault("OPTIONS", {})
    database["options"] = database.get("options", "") + " -c citizencoin.allow_truncate=on"
    post_migrate.connect(_postcodes_loaded, sender=apps.get_app_config("places"))


def _postcodes_loaded(using: str = "default", **kwargs: Any) -> None:
    """The test database has the demo town's postcodes, as `make demo` loads them: after
    migrating, and again after each transactional test empties every table (Django's
    flush sends post_migrate)."""
    if not Postcode.objects.using(using).exists():
        postcodes_sample_load()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests and run them last: Playwright's sync API keeps an event loop
    running in this thread until the session ends, and async tests need their own."""
    for item in items:
        if "/tests/e2e/" in item.path.as_posix():
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploaded photos go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


def make_user(email: str = "sam@example.org", *, verified: bool = True, **extra: object) -> User:
    # Everyone who signs up to a shift has a name; a test of its absence passes "".
    extra.setdefault("display_name", email.split("@")[0].capitalize())
    user = User.objects.create_user(email, PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def resident(db: None) -> User:
    return make_user("resident@example.org", display_name="Sam")


REDIS_URL = os.environ.get("REDIS_URL", "")


def require_redis() -> str:
    """Redis tests run whenever REDIS_URL is set; .ci/run's second pass insists on them."""
    if not REDIS_URL:
        if os.environ.get("REQUIRE_REDIS_TESTS") == "1":
            pytest.fail("REQUIRE_REDIS_TESTS=1 but REDIS_URL is not set")
        pytest.skip("REDIS_URL is not set: this test needs a real Redis server")
    return REDIS_URL


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@pytest.fixture(params=["in-memory", "redis"])
def channel_layer_kind(request: pytest.FixtureRequest, settings: object) -> Iterator[str]:
    """Run a test on the in-memory layer and, where Redis is available, on Redis."""
    if request.param == "redis":
        url = require_redis()
        settings.CHANNEL_LAYERS = {  # type: ignore[attr-defined]
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",  # as in production
                "CONFIG": {"hosts": [url], "prefix": f"cc-test-{uuid.uuid4().hex[:8]}"},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {  # type: ignore[attr-defined]
            "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
        }
    yield request.param


@pytest.fixture(autouse=True)
def _ledger_verified(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test that moved coins, `manage.py verify_ledger` must pass."""
    names = set(request.fixturenames)
    if request.node.get_closest_marker("django_db"):
        uses = "_django_db_helper"  # what pytest-django's marker sets up
    else:
        uses = next((n for n in ("transactional_db", "db") if n in names), "")
    if not uses:
        yield
        return
    # Set up the database first, so that this checks before the test's data is rolled back.
    request.getfixturevalue(uses)
    yield
    from django.core.management import call_command
    from django.db import connection

    from coins.models import Transfer

    if connection.needs_rollback or not Transfer.objects.exists():
        return
    call_command("verify_ledger", stdout=io.StringIO())


# Stripe, faked by localstripe (a dev dependency) on 127.0.0.1, for the sponsorship tests in
# tests/coins and tests/e2e, launched as the demo launches it (coins/localstripe_launch.py:
# on 127.0.0.1, in memory, its Stripe.js confirming the card typed into its card element).
LOCALSTRIPE_LAUNCH = (
    "import sys\n"
    "from coins.localstripe_launch import localstripe_serve\n"
    "localstripe_serve(int(sys.argv[1]))\n"
)
STRIPE_WEBHOOK_SECRET = "whsec_citizencoin_tests"
STRIPE_EVENTS = STRIPE_EVENTS_HANDLED


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """localstripe running in a process of its own; its base URL."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-c", LOCALSTRIPE_LAUNCH, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=1):  # noqa: S310
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_keys(settings: Any, localstripe: str) -> str:
    """Stripe configured against localstripe; a PaymentIntent is paid as the browser pays
    it, with a card given to localstripe's Stripe.js."""
    settings.STRIPE_SECRET_KEY = "sk_test_citizencoin"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_citizencoin"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_JS_URL = f"{localstripe}/js.stripe.com/v3/"
    return localstripe


def localstripe_webhook(
    localstripe: str, url: str, events: tuple[str, ...] = STRIPE_EVENTS
) -> None:
    """Point localstripe's webhook at `url` for these events (none: it sends nothing)."""
    import urllib.parse
    import urllib.request

    fields = [("url", url), ("secret", STRIPE_WEBHOOK_SECRET)]
    fields += [(f"events[{i}]", name) for i, name in enumerate(events or ("none.at.all",))]
    body = urllib.parse.urlencode(fields).encode()
    config = f"{localstripe}/_config/webhooks/citizencoin"
    request = urllib.request.Request(config, data=body)  # noqa: S310
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_asgi(transactional_db: None) -> Iterator[str]:
    """uvicorn serving backend.asgi (HTTP and WebSocket) on 127.0.0.1, in this process."""
    port = _free_port()
    config = uvicorn.Config(
        "backend.asgi:application",
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
