"""The Celery app; tasks are found in each app's tasks modules."""

import os
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("citizencoin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# marketplace is one Django app made of two packages, each with its own tasks module, which
# discovery by app does not find: without this a worker drops the reminders beat sends.
app.autodiscover_tasks(["marketplace.board", "marketplace.rewards"])


@app.task(name="backend.ping", ignore_result=False)  # its answer is the point
def ping() -> dict[str, object]:
    """A round trip through the broker; says which process did the work."""
    return {"pong": True, "host": socket.gethostname(), "pid": os.getpid()}
