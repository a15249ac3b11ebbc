"""`python -m bench`: every benchmark on one scratch database, then bench/results.json.
`python -m bench impact search` runs only those, and prints without writing the file."""

import sys
import time
from collections.abc import Callable
from typing import Any

from bench import harness


def main() -> None:
    started = time.perf_counter()
    harness.setup_django()
    # Imported once Django is set up: they import models.
    from bench import channel_layers, impact, ledger, postcodes, search

    benchmarks: dict[str, Callable[[], Any]] = {
        # First, while the process is small: it reports how much loading grew it.
        "postcodes": postcodes.run,
        "ledger": ledger.run,
        "search": search.run,
        "impact": impact.run,
        "channel_layers": channel_layers.run,
    }
    chosen = sys.argv[1:] or list(benchmarks)
    unknown = set(chosen) - set(benchmarks)
    if unknown:
        sys.exit(
            f"No benchmark called {', '.join(sorted(unknown))}; there are {', '.join(benchmarks)}."
        )

    with harness.scratch_database():
        machine = harness.machine()
        harness.say(
            f"{machine['cpu_count']} CPUs, Python {machine['python']}, "
            f"PostgreSQL {machine['postgres']} ({machine['database']})"
        )
        results = {"machine": machine} | {name: benchmarks[name]() for name in chosen}
    if chosen == list(benchmarks):
        harness.write_results(results)
    harness.say(f"bench finished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
