"""The project shell: settings, URLs, ASGI/Celery/API wiring, health, the demo town. It
may import every app; no app imports it."""

from backend.celery import app as celery_app

__all__ = ["celery_app"]
