"""`python -m bench`: every benchmark on one scratch database, then bench/results.json
and the table of issue 16's rows, each against its bare baseline.

`python -m bench impact search`, or `BENCH=P1,P3` (row ids or benchmark names), runs
only those, and prints without writing the file."""

import importlib
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from bench import harness, rows

# In the order they run, each with its budget in seconds: together about nine minutes
# on 2 cores, so that `make bench` fits in ten with the scratch database's migrations.
BUDGETS: dict[str, int] = {
    # First, while the process is small: it reports how much loading grew it.
    "postcodes": 75,
    "ledger": 75,
    "api": 60,
    "search": 90,
    "impact": 110,
    "tasks": 35,
    "live": 90,
    "channel_layers": 20,
}
# Written by others in parallel: a run without it says so rather than failing.
OPTIONAL = {"live"}


def main() -> None:
    started = time.perf_counter()
    try:
        names = rows.chosen(os.environ.get("BENCH", ""), list(BUDGETS))
        if sys.argv[1:]:
            names = rows.chosen(",".join(sys.argv[1:]), list(BUDGETS))
    except ValueError as error:
        sys.exit(str(error))
    harness.setup_django()
    runners = _runners(names)
    whole = names == list(BUDGETS)
    harness.say(f"bench: {', '.join(names)} (budget {sum(BUDGETS[n] for n in names)} s)")

    results: dict[str, Any] = {}
    failed: list[str] = []
    with harness.scratch_database():
        machine = harness.machine()
        harness.say(
            f"{machine['cpu_count']} CPUs, Python {machine['python']}, "
            f"PostgreSQL {machine['postgres']} ({machine['database']})"
        )
        results["machine"] = machine
        for name in names:
            run = runners.get(name)
            if run is None:
                harness.say(f"\n{name}: skipped, bench/{name}.py is not there yet")
                results[name] = {"skipped": f"bench/{name}.py is missing"}
                continue
            module_started = time.perf_counter()
            try:
                with harness.budget(BUDGETS[name]):
                    results[name] = run()
            except Exception as error:  # said, and the others still run
                traceback.print_exc()
                harness.say(f"{name}: FAILED ({error.__class__.__name__}: {error})")
                results[name] = {"failed": f"{error.__class__.__name__}: {error}"}
                failed.append(name)
            took = time.perf_counter() - module_started
            over = "" if took <= BUDGETS[name] else "  OVER BUDGET"
            harness.say(f"{name}: {took:.0f} s of its {BUDGETS[name]} s budget{over}")
    found = rows.collect(results)
    results["rows"] = found
    harness.say("\n" + rows.table(found))
    if whole:
        harness.write_results(results)
    harness.say(f"bench finished in {time.perf_counter() - started:.0f} s")
    if failed:
        sys.exit(f"bench: {', '.join(failed)} failed (above)")


def _runners(names: list[str]) -> dict[str, Callable[[], Any]]:
    """Each chosen module's run(), imported once Django is set up (they import models);
    an optional one that does not exist yet is left out."""
    runners: dict[str, Callable[[], Any]] = {}
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as error:
            if name in OPTIONAL and error.name == f"bench.{name}":
                continue
            raise
        runners[name] = module.run
    return runners


if __name__ == "__main__":
    main()
