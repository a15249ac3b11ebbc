"""`python -m load.once PLAN`: each of the locustfile's users once, through its scripted
journey (locustfile.JOURNEYS), against the plan's hosts; what failed, and exit 1 if
anything did. tests/load runs it in a process of its own, as locust patches the
standard library for gevent on import."""

import sys
from typing import Any


def main(plan: str) -> int:
    import os

    os.environ["LOAD_PLAN"] = plan
    from locust.env import Environment

    from load.locustfile import JOURNEYS

    environment = Environment(user_classes=list(JOURNEYS))
    failures: list[str] = []
    done: list[str] = []

    def heard(request_type: str, name: str, exception: Any, **kwargs: Any) -> None:
        done.append(f"{request_type} {name}")
        if exception is not None:
            failures.append(f"{request_type} {name}: {exception}")

    environment.events.request.add_listener(heard)
    for user_class, journey in JOURNEYS.items():
        user = user_class(environment)
        user.on_start()
        for step in journey:
            getattr(user, step)()
        user.on_stop()
    print("\n".join(done))
    print("\n".join(f"FAILED {failure}" for failure in failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
