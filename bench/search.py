"""Board search at 100,000 opportunities: the first page of each query with the board's
indexes, against the same query with those indexes gone.

The baseline drops the Opportunity indexes inside a transaction that is rolled back,
rather than `SET enable_indexscan = off`: switching index scans off for the session also
takes away the shift index behind each opportunity's "next shift", and then every
query scans all 100,000 shifts once per opportunity and runs for minutes. Dropping only
the board's own indexes measures what they are there for."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from bench import board_data
from bench.harness import compare, ratio, say
from marketplace.board.models import Cause, Opportunity
from marketplace.board.selectors import BoardQuery, opportunity_search
from marketplace.board.views import PER_PAGE
from places.selectors import postcode_point

OPPORTUNITIES = 100_000
REPEATS = 9
BUDGET_S = 4.0  # per query; a slow baseline stops after three timings


def run() -> list[dict[str, Any]]:
    started = time.perf_counter()
    board_data.generate(OPPORTUNITIES)
    say(f"\nsearch: {OPPORTUNITIES:,} published opportunities written in {_since(started)}")
    say("  first page (count + 20 rows) with the board's indexes, and with them dropped")
    say(f"  {'query':<34} {'indexed':>10} {'no index':>10}   ratio")
    return [_measure(name, query) for name, query in queries()]


def queries() -> list[tuple[str, BoardQuery]]:
    centre = postcode_point("BK3 2AA")
    today = timezone.localdate()
    week_from, week_to = today + timedelta(days=7), today + timedelta(days=13)
    return [
        ("no filters (the board's front page)", BoardQuery()),
        ('keyword "garden"', BoardQuery(text="garden")),
        ('misspelt "gardning"', BoardQuery(text="gardning")),
        ("cause: animals", BoardQuery(cause=Cause.ANIMALS)),
        ("within 5 miles, nearest first", BoardQuery(point=centre, miles=5, sort="nearest")),
        ("within 1 mile, nearest first", BoardQuery(point=centre, miles=1, sort="nearest")),
        (
            "next week, with free places",
            BoardQuery(date_from=week_from, date_to=week_to, has_places=True),
        ),
        (
            "garden+cause+3 miles+week+places",
            BoardQuery(
                text="garden",
                cause=Cause.ENVIRONMENT,
                point=centre,
                miles=3,
                step_free=True,
                has_places=True,
                date_from=week_from,
                date_to=week_to,
            ),
        ),
    ]


def first_page(query: BoardQuery) -> int:
    """What the board page asks the database: the count for the pager, then 20 rows."""
    found = opportunity_search(query)
    total = found.count()
    list(found[:PER_PAGE])
    return total


@contextmanager
def without_board_indexes() -> Iterator[None]:
    names = ", ".join(connection.ops.quote_name(i.name) for i in Opportunity._meta.indexes)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX {names}")
        try:
            yield
        finally:
            transaction.set_rollback(True)


def _measure(name: str, query: BoardQuery) -> dict[str, Any]:
    rows = first_page(query)
    indexed, baseline = compare(
        lambda: first_page(query),
        lambda: first_page(query),
        baseline_inside=without_board_indexes,
        repeats=REPEATS,
        budget_s=BUDGET_S,
    )
    times = ratio(baseline.median_ms, indexed.median_ms)
    plan = explain(opportunity_search(query)[:PER_PAGE])
    say(
        f"  {name:<34} {indexed.median_ms:>7.1f} ms {baseline.median_ms:>7.1f} ms   "
        f"{_faster(times)}  ({rows:,} found, median of {indexed.repeats})"
    )
    say(f"      plan: {plan['top']}; " + "; ".join(plan["scans"]))
    return {
        "name": name,
        "query": _described(query),
        "found": rows,
        "indexed_ms": round(indexed.median_ms, 2),
        "baseline_ms": round(baseline.median_ms, 2),
        "ratio": round(times, 2),
        "repeats": indexed.repeats,
        "plan": plan,
    }


def explain(found: QuerySet[Any]) -> dict[str, Any]:
    """The plan's top node and how it reaches each table, indexes named."""
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        row = cursor.fetchone()
    plan = row[0][0]["Plan"] if row else {}
    return {"top": plan.get("Node Type", "?"), "scans": list(dict.fromkeys(_scans(plan)))}


def _scans(node: dict[str, Any]) -> Iterator[str]:
    if "Relation Name" in node:
        table = node["Relation Name"].removeprefix("marketplace_")
        indexes = sorted(set(_index_names(node)))
        yield f"{table} by {node['Node Type']}" + (f" ({', '.join(indexes)})" if indexes else "")
    for child in node.get("Plans", []):
        yield from _scans(child)


def _index_names(node: dict[str, Any]) -> Iterator[str]:
    """The indexes a scan reads: its own, or those of the bitmap scans beneath it."""
    if "Index Name" in node:
        yield node["Index Name"]
    for child in node.get("Plans", []):
        if "Relation Name" not in child:
            yield from _index_names(child)


def _described(query: BoardQuery) -> dict[str, str]:
    default = BoardQuery()
    return {
        f.name: str(getattr(query, f.name))
        for f in fields(query)
        if getattr(query, f.name) != getattr(default, f.name)
    }


def _faster(times: float) -> str:
    if times >= 1.1:
        return f"{times:5.1f}x faster"
    if times <= 1 / 1.1:
        return f"{1 / times:5.1f}x slower"
    return f"{times:5.1f}x (no gain)"


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.0f} s"
