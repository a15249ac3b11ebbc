"""`manage.py demo`: production's parts on embedded servers, until Ctrl-C.

PostgreSQL and Redis from their wheels, localstripe for Stripe, then `migrate`, the demo
town, a Celery worker, celery beat and uvicorn as child processes configured by their
environment (backend/demo_services.py), so reminders and every other scheduled job run
as they do in production. Ctrl-C, or any part stopping, stops them all.
"""

import signal
from contextlib import ExitStack
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from backend import demo_services
from backend.embedded import redis as embedded_redis
from backend.embedded import stripe as embedded_stripe


class Command(BaseCommand):
    help = "Run the demo town as production runs (web, worker, beat) until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        # `kill` and `timeout` send SIGTERM: stop the children as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._serve(options["host"], options["port"])
        except KeyboardInterrupt:
            self.stdout.write("\nStopped.")
        except RuntimeError as error:
            raise CommandError(str(error)) from error

    def _serve(self, host: str, port: int) -> None:
        say = self.stdout.write
        url = demo_services.site_url(host=host, port=port)
        with ExitStack() as stack:
            embedded = settings.DATABASES["default"]["ENGINE"] == "backend.embedded"
            say("Starting PostgreSQL…" if embedded else "Connecting to DATABASE_URL…")
            # This process holds the embedded server until it exits; the children reach it
            # by its address (demo_services.database_url says why).
            connection.ensure_connection()
            connection.close()
            database_url = (
                demo_services.database_url(connection.get_connection_params()) if embedded else ""
            )
            say("Starting Redis…")
            stack.callback(embedded_redis.stop)
            redis_url = embedded_redis.start()
            stripe = self._stripe(stack, url)
            env = demo_services.environment(
                site_url=url,
                redis_url=redis_url,
                stripe=stripe,
                database_url=database_url,
                host=host,
            )
            children = stack.enter_context(demo_services.Children(echo=say))
            say("Migrating…")
            children.run("migrate", demo_services.manage("migrate", "--no-input"), env)
            say("Loading the demo town…")
            # A batch job: the tasks it sets off run in its own process (eagerly), so the
            # town is complete before the site opens.
            load = {**env, "CELERY_TASK_ALWAYS_EAGER": "true"}
            children.run("load", demo_services.manage("load_demo"), load)
            say("Starting the Celery worker and beat…")
            schedule = settings.EMBEDDED_BEAT_SCHEDULE
            demo_services.background_start(children, env=env, schedule=schedule)
            say("Starting the web server…")
            children.start(
                "web",
                demo_services.web(host=host, port=port),
                {**env, **demo_services.WEB_ENVIRONMENT},
            )
            demo_services.wait_until_serving(children, url)
            say(self.style.SUCCESS(f"\nServing Citizen Coin on {url}  (Ctrl-C stops)\n"))
            stopped = children.first_exit()
            raise CommandError(f"The {stopped} process stopped, so the demo stops too.")

    def _stripe(self, stack: ExitStack, url: str) -> dict[str, str]:
        if not embedded_stripe.available():
            self.stdout.write("localstripe is not installed: sponsorship is switched off.")
            return {}
        self.stdout.write("Starting Stripe (localstripe)…")
        stack.callback(embedded_stripe.stop)
        base = embedded_stripe.serve()
        embedded_stripe.webhook_point(base, f"{url}/stripe/webhook/")
        return embedded_stripe.environment(base)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
