"""The Celery app; tasks are found in each app's tasks modules."""

import os
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("citizencoin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="backend.ping")
def ping() -> dict[str, object]:
    """A round trip through the broker; says which process did the work."""
    return {"pong": True, "host": socket.gethostname(), "pid": os.getpid()}
