"""`load_postcodes` on a file of a million rows in the NSPL's own columns (9,000 wards;
`BENCH_POSTCODE_ROWS=2700000` makes it the size of the whole UK's, two minutes more
than `make bench`'s ten allow), against the bare engine doing the same work:
PostgreSQL's own COPY of the same file into a table of text columns. Also how much the
process grew while loading, which must not follow the file's size (the loader streams)."""

import csv
import os
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import ratio, say

ROWS = int(os.environ.get("BENCH_POSTCODE_ROWS", "1000000"))
WARDS = 9_000
HEADER = [
    "pcd", "pcd2", "pcds", "dointr", "doterm", "usertype", "oseast1m", "osnrth1m", "osgrdind",
    "oa21", "cty", "ced", "laua", "ward", "hlthau", "nhser", "ctry", "rgn", "pcon", "ttwa",
    "itl", "npark", "lsoa21", "msoa21", "lat", "long", "imd",
]  # fmt: skip
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def run() -> dict[str, Any]:
    from django.db import connection

    from places.loader import postcodes_load
    from places.models import Postcode

    with tempfile.TemporaryDirectory() as folder:
        nspl, names = _write(Path(folder))
        size_mb = nspl.stat().st_size / 1e6
        say(f"postcodes: loading {ROWS:,} rows ({size_mb:,.0f} MB) through load_postcodes …")
        grown_before = _max_rss_mb()
        started = time.perf_counter()
        result = postcodes_load(
            nspl=nspl,
            ward_names=names,
            progress=lambda read: say(f"  {read:,} rows read …") if read % 500_000 == 0 else None,
        )
        ours = time.perf_counter() - started
        grown = _max_rss_mb() - grown_before
        say(f"postcodes: {result.postcodes_changed:,} loaded in {ours:.1f} s; bare COPY …")
        started = time.perf_counter()
        _bare_copy(connection, nspl)
        bare = time.perf_counter() - started
        loaded = Postcode.objects.count()
        _forget(connection)
    speed = ratio(bare, ours)
    say(
        f"postcodes: {ours:.1f} s against a bare COPY of the same file in {bare:.1f} s: "
        f"{speed:.2f}x the engine's own speed; the process grew {grown:.0f} MB "
        f"for a {size_mb:,.0f} MB file"
    )
    return {
        "file_rows": ROWS,
        "file_mb": round(size_mb),
        "load_postcodes_s": round(ours, 2),
        "bare_copy_s": round(bare, 2),
        "ratio_of_bare_speed": round(speed, 3),
        "process_grew_mb": round(grown),
        "postcodes_in_table": loaded,
    }


def _write(folder: Path) -> tuple[Path, Path]:
    """A file in the NSPL's own columns, with well-formed, made-up postcodes."""
    rng = random.Random(2026)  # noqa: S311 - made-up data, not secrets
    wards = [f"E05{n:06d}" for n in range(WARDS)]
    names = folder / "wards.csv"
    with names.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["WD24CD", "WD24NM", "WD24NMW"])
        writer.writerows([code, f"Ward {n}", ""] for n, code in enumerate(wards))
    nspl = folder / "nspl.csv"
    with nspl.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(ROWS):
            if n and n % 500_000 == 0:
                say(f"  {n:,} rows written …")
            writer.writerow(_row(n, rng, wards))
    return nspl, names


def _row(n: int, rng: random.Random, wards: list[str]) -> list[str]:
    # Outward code from two letters and a district, inward from a sector and two letters:
    # 26 * 26 * 99 * 10 * 400 distinct codes, taken in order so that none repeats.
    area, rest = divmod(n, 99 * 10 * 400)
    district, rest = divmod(rest, 10 * 400)
    sector, unit = divmod(rest, 400)
    outward = f"{chr(65 + area // 26)}{chr(65 + area % 26)}{district + 1}"
    inward = f"{sector}{LETTERS[unit // 20]}{LETTERS[unit % 20]}"
    lat, long = 50 + rng.random() * 8, -6 + rng.random() * 7.5
    return [
        f"{outward:<4}{inward}"[:7], f"{outward:<5}{inward}", f"{outward} {inward}", "198001",
        "", "0", "400000", "300000", "1", "E00000001", "E99999999", "E99999999", "E08000001",
        wards[n % WARDS], "E18000001", "E40000001", "E92000001", "E12000001", "E14000001",
        "E30000001", "E06000001", "E99999999", "E01000001", "E02000001", f"{lat:.6f}",
        f"{long:.6f}", "1",
    ]  # fmt: skip


def _bare_copy(connection: Any, nspl: Path) -> None:
    columns = ", ".join(f'"{name}" text' for name in HEADER)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_nspl ({columns})")
        with (
            nspl.open("rb") as handle,
            cursor.cursor.copy("COPY bench_nspl FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        cursor.execute("DROP TABLE bench_nspl")


def _forget(connection: Any) -> None:
    """Leave the scratch database with the demo town's postcodes only, for what follows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM places_postcode WHERE ward_id IN "
            "(SELECT id FROM places_ward WHERE code LIKE 'E0500%')"
        )
        cursor.execute("DELETE FROM places_ward WHERE code LIKE 'E0500%'")


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
