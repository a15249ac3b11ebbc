"""`python -m bench`: every benchmark on one scratch database, then bench/results.json."""

import time

from bench import harness


def main() -> None:
    started = time.perf_counter()
    harness.setup_django()
    # Imported once Django is set up: they import models.
    from bench import channel_layers, ledger, postcodes, search

    with harness.scratch_database():
        machine = harness.machine()
        harness.say(
            f"{machine['cpu_count']} CPUs, Python {machine['python']}, "
            f"PostgreSQL {machine['postgres']} ({machine['database']})"
        )
        results = {
            "machine": machine,
            # First, while the process is small: it reports how much loading grew it.
            "postcodes": postcodes.run(),
            "ledger": ledger.run(),
            "search": search.run(),
            "channel_layers": channel_layers.run(),
        }
    harness.write_results(results)
    harness.say(f"bench finished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
