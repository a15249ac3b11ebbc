"""`make demo` runs production's parts: an embedded Redis, a real Celery worker and
celery beat. Reminders arrive by themselves, with links to the port the demo serves."""

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.utils import timezone
from kombu import Connection

from backend import demo_services
from backend.embedded import redis as embedded_redis
from backend.embedded import stripe as embedded_stripe
from marketplace.board.models import Shift, Signup
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "redis"
    yield folder
    embedded_redis.stop(folder)


def test_the_demos_worker_and_beat_send_a_due_reminder_by_themselves(
    transactional_db: None, redis_folder: Path, tmp_path: Path
) -> None:
    shift = make_shift(title="Food bank sorting")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1, minutes=30)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    person = make_user("sam@example.org")
    signup = Signup.objects.create(shift=shift, user=person, status=Signup.State.CONFIRMED)
    env = demo_services.environment(
        site_url=demo_services.site_url(host="127.0.0.1", port=8123),
        redis_url=embedded_redis.serve(redis_folder),
        database_url=demo_services.database_url(connection.get_connection_params()),
    )
    lines: list[str] = []

    with demo_services.Children(echo=lines.append) as children:
        demo_services.background_start(children, env=env, schedule=tmp_path / "beat" / "schedule")
        # beat sends the reminders each minute in the demo: by the next whole minute, plus
        # the worker's start on a busy 2-core machine.
        deadline = time.monotonic() + 100
        emailed = Notification.objects.filter(
            user=person, kind="shift_reminder", emailed_at__isnull=False
        )
        while not emailed.exists():
            crashed = [name for name, child in children.running.items() if child.poll()]
            assert not crashed and time.monotonic() < deadline, "\n".join(lines[-60:])
            time.sleep(0.5)

    (reminder,) = Notification.objects.filter(user=person, kind="shift_reminder")
    day = "today" if timezone.localdate(start) == timezone.localdate() else "tomorrow"
    assert reminder.title.startswith(f"Reminder: Food bank sorting, {day} at ")
    signup.refresh_from_db()
    assert signup.reminded_2h_at is not None
    # The worker printed the e-mail (the embedded mode's console mail), its link on the
    # demo's port.
    output = "\n".join(lines)
    assert "Scheduler: Sending due task shift-reminders" in output
    assert "Open it: http://127.0.0.1:8123/my-shifts/" in output


def test_the_demos_port_is_where_every_link_points() -> None:
    env = demo_services.environment(
        site_url=demo_services.site_url(host="127.0.0.1", port=8123), redis_url=""
    )
    assert env["SITE_URL"] == "http://127.0.0.1:8123"
    # Read back through settings, as every child process reads it.
    shell = "from notifications.mail import absolute; print(absolute('/my-shifts/'))"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", shell],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.splitlines()[-1] == "http://127.0.0.1:8123/my-shifts/"


def test_a_demo_on_every_interface_links_to_this_machine() -> None:
    assert demo_services.site_url(host="0.0.0.0", port=8000) == "http://127.0.0.1:8000"  # noqa: S104
    env = demo_services.environment(
        site_url="http://192.168.1.5:8000", redis_url="", host="192.168.1.5", base={}
    )
    assert env["ALLOWED_HOSTS"] == "127.0.0.1,localhost,192.168.1.5"


def test_the_worker_knows_every_task_beat_sends() -> None:
    # A fresh process finds tasks as a worker does, not through this process's imports.
    script = (
        "import django, json; django.setup()\n"
        "from backend.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print(json.dumps(sorted(app.tasks)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    known = set(json.loads(done.stdout.splitlines()[-1]))
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - known == set()


def test_the_embedded_redis_carries_the_cache_the_channel_layer_and_the_broker(
    redis_folder: Path,
) -> None:
    url = embedded_redis.serve(redis_folder)
    assert url == f"unix://{redis_folder.resolve()}/redis.sock"
    assert embedded_redis.serve(redis_folder) == url  # joined, not started twice

    cache = RedisCache(url, {"KEY_PREFIX": "t"})
    cache.set("greeting", "hello")
    assert cache.get("greeting") == "hello"

    async def round_trip() -> dict[str, str]:
        layer = RedisPubSubChannelLayer(hosts=[url], prefix=uuid.uuid4().hex)
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "hello"})
        try:
            return await asyncio.wait_for(layer.receive(channel), 5)
        finally:
            await layer.flush()

    assert asyncio.run(round_trip()) == {"type": "hello"}

    with Connection(url.replace("unix://", "redis+socket://")) as broker:
        queue = broker.SimpleQueue("demo-test")
        queue.put({"n": 1})
        assert queue.get(timeout=5).payload == {"n": 1}
        queue.close()

    embedded_redis.stop(redis_folder)
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(url).ping()


def test_stopping_the_demo_leaves_no_process_behind(tmp_path: Path) -> None:
    lines: list[str] = []
    with demo_services.Children(echo=lines.append) as children:
        # A parent with a child of its own, as a Celery worker has its pool.
        parent = children.start("pool", ["sh", "-c", "sleep 300 & echo started; wait"], {})
        deadline = time.monotonic() + 10
        while "  pool | started" not in lines and time.monotonic() < deadline:
            time.sleep(0.05)

    assert lines[0] == "  pool | started"
    assert parent.poll() is not None
    assert not group_alive(parent.pid, within=5)


def group_alive(pgid: int, *, within: float) -> bool:
    """Whether anyone is still in the process group after `within` seconds (a killed
    grandchild lingers until init reaps it)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def test_the_demos_stripe_serves_stripe_js_and_takes_our_webhook() -> None:
    if not embedded_stripe.available():
        pytest.skip("localstripe (a dev dependency) is not installed")
    base = embedded_stripe.serve()
    try:
        env = embedded_stripe.environment(base)
        assert env["STRIPE_API_BASE"] == base
        assert env["STRIPE_JS_URL"] == f"{base}/js.stripe.com/v3/"
        embedded_stripe.webhook_point(base, "http://127.0.0.1:8123/stripe/webhook/")
    finally:
        embedded_stripe.stop()
