"""Locust's CSV files (`--csv PREFIX`) read back: the table per endpoint, the errors."""

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Row:
    kind: str
    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float


@dataclass
class Stats:
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None
    failures: list[str] = field(default_factory=list)  # "N x METHOD name: error"
    exceptions: list[str] = field(default_factory=list)  # raised in the users' own code

    @property
    def errors(self) -> int:
        failed = self.total.failures if self.total else 0
        return failed + len(self.exceptions)


def read(prefix: Path) -> Stats:
    stats = Stats()
    for line in _rows(prefix, "stats"):
        row = Row(
            kind=line["Type"],
            name=line["Name"],
            requests=int(line["Request Count"]),
            failures=int(line["Failure Count"]),
            p50_ms=_ms(line["50%"]),
            p95_ms=_ms(line["95%"]),
        )
        if row.name == "Aggregated":
            stats.total = row
        else:
            stats.rows.append(row)
    for line in _rows(prefix, "failures"):
        said = f"{line['Occurrences']} x {line['Method']} {line['Name']}: {line['Error']}"
        stats.failures.append(said)
    for line in _rows(prefix, "exceptions"):
        stats.exceptions.append(f"{line['Count']} x {line['Message']}\n{line['Traceback']}")
    return stats


def table(stats: Stats) -> str:
    width = max([len(r.name) + len(r.kind) + 1 for r in stats.rows] + [24])
    lines = [
        f"{'endpoint':<{width}}  {'requests':>8}  {'failures':>8}  {'p50 ms':>7}  {'p95 ms':>7}"
    ]
    for row in sorted(stats.rows, key=lambda r: (r.name, r.kind)):
        lines.append(_line(row, width, f"{row.kind} {row.name}"))
    if stats.total is not None:
        lines.append(_line(stats.total, width, "all requests"))
    lines.append(f"\nerrors: {stats.errors}")
    lines += [f"  {failure}" for failure in stats.failures]
    lines += [f"  exception: {exception}" for exception in stats.exceptions]
    return "\n".join(lines)


def progress(prefix: Path) -> str:
    """So far, from the file locust rewrites every few seconds."""
    total = read(prefix).total if Path(f"{prefix}_stats.csv").exists() else None
    if total is None:
        return "starting"
    return f"{total.requests} requests, {total.failures} failures, p95 {total.p95_ms:.0f} ms"


def _line(row: Row, width: int, label: str) -> str:
    return (
        f"{label:<{width}}  {row.requests:>8}  {row.failures:>8}  "
        f"{row.p50_ms:>7.0f}  {row.p95_ms:>7.0f}"
    )


def _rows(prefix: Path, kind: str) -> list[dict[str, str]]:
    path = Path(f"{prefix}_{kind}.csv")
    if not path.exists():
        return []
    with path.open(newline="") as opened:
        return list(csv.DictReader(opened))


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0
