"""The rows of issue 16's table: one figure each against its bare baseline, the modules
that measure them, and the table printed at the end of a run.

A module's `run()` returns a dict; its "rows" key, when there is one, is a list of
`row()` dicts. `collect()` gathers them in the order of `ROWS`, and `chosen()` turns
`BENCH=P1,P3` (row ids or module names) into the modules to run."""

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Each row's id, what it measures, and the module that measures it.
ROWS: dict[str, tuple[str, str]] = {
    "P1": ("board search API, 16 clients, ratio to a ninja hello", "api"),
    "P1_100k": ("board search at 100,000 opportunities, p95 one at a time", "search"),
    "P3": ("ledger transfers/s, 8 threads, ratio to pgbench", "ledger"),
    "P4": ("everyone pays one shop / distinct wallets", "ledger"),
    "P5": ("notify() to the socket, p99", "live"),
    "P5_open": ("opening sockets", "live"),
    "P6": ("saved-search fan-out", "live"),
    "P7": ("Celery no-op tasks/s, ratio to LPUSH/BRPOP", "tasks"),
    "P8": ("impact dashboard p95, ratio to one bare query", "impact"),
}
FIELDS = ("id", "name", "value", "unit", "baseline", "ratio", "target", "meets")


def row(
    id: str,
    value: float,
    unit: str,
    *,
    baseline: float | None,
    ratio: float | None,
    target: str,
    meets: bool,
    name: str = "",
) -> dict[str, Any]:
    """One row of the table. `target` says what meeting it means ("ratio >= 0.5",
    "p95 <= 25 ms"), as a person would read it; `meets` is whether this run did."""
    return {
        "id": id,
        "name": name or ROWS.get(id, (id, ""))[0],
        "value": _rounded(value),
        "unit": unit,
        "baseline": _rounded(baseline),
        "ratio": _rounded(ratio),
        "target": target,
        "meets": bool(meets),
    }


def collect(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every module's rows, in the table's order (rows of unknown ids after, as found).
    A result that is not a dict, or whose "rows" is not a list of rows, gives none."""
    found: list[Mapping[str, Any]] = []
    for result in results.values():
        listed = result.get("rows") if isinstance(result, Mapping) else None
        if isinstance(listed, list):
            found.extend(r for r in listed if isinstance(r, Mapping) and "id" in r)
    order = {id: n for n, id in enumerate(ROWS)}
    return [
        {field: r.get(field) for field in FIELDS}
        for r in sorted(found, key=lambda r: order.get(str(r.get("id")), len(order)))
    ]


def chosen(wanted: str, modules: Sequence[str]) -> list[str]:
    """The modules to run for BENCH=`wanted` ("P1,P3", "ledger", "" for all), in the
    run's own order; ValueError names what is not a row or a module."""
    names = [name.strip() for name in wanted.replace(" ", ",").split(",") if name.strip()]
    if not names:
        return list(modules)
    by_id = {id.lower(): module for id, (_, module) in ROWS.items()}
    picked: set[str] = set()
    unknown: list[str] = []
    for name in names:
        if name in modules:
            picked.add(name)
        elif name.lower() in by_id and by_id[name.lower()] in modules:
            picked.add(by_id[name.lower()])
        else:
            unknown.append(name)
    if unknown:
        raise ValueError(
            f"BENCH: no row or benchmark called {', '.join(unknown)}; rows are "
            f"{', '.join(ROWS)}, benchmarks {', '.join(modules)}."
        )
    return [module for module in modules if module in picked]


def table(rows: Iterable[Mapping[str, Any]]) -> str:
    lines = [
        f"{'row':<8} {'what':<56} {'ours':>18} {'baseline':>18} {'ratio':>7}  {'target':<22} meets"
    ]
    for r in rows:
        unit = f" {r['unit']}" if r.get("unit") else ""
        lines.append(
            f"{r['id']:<8} {str(r['name'])[:56]:<56} {_shown(r['value']) + unit:>18} "
            f"{_shown(r['baseline']) + (unit if r['baseline'] is not None else ''):>18} "
            f"{_shown(r['ratio']):>7}  {r['target']:<22} {'yes' if r['meets'] else 'no'}"
        )
    return "\n".join(lines)


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _rounded(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 3)
