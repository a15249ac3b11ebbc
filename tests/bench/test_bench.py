"""The bench's plumbing, not its figures: which benchmarks BENCH picks, how the rows of
every module are gathered and written, and the pgbench script taken from the ledger."""

import json
from pathlib import Path

import pytest

from bench import harness, rows
from bench.__main__ import BUDGETS, _runners
from bench.ledger import _funded_wallet, _till, pgbench_script
from coins.models import Account, Scheme
from coins.services import account_for

MODULES = list(BUDGETS)


def test_bench_with_no_names_runs_every_benchmark_in_order() -> None:
    assert rows.chosen("", MODULES) == MODULES


def test_bench_picks_the_benchmarks_that_measure_the_rows_named() -> None:
    assert rows.chosen("P3,P1", MODULES) == ["ledger", "api"]
    assert rows.chosen("P4", MODULES) == ["ledger"]
    assert rows.chosen("p5", MODULES) == ["live"]
    assert rows.chosen("P5_open, P6", MODULES) == ["live"]
    assert rows.chosen("P7,impact", MODULES) == ["impact", "tasks"]
    assert rows.chosen("postcodes", MODULES) == ["postcodes"]


def test_bench_names_what_is_neither_a_row_nor_a_benchmark() -> None:
    with pytest.raises(ValueError, match="no row or benchmark called P9") as raised:
        rows.chosen("P1,P9", MODULES)
    assert "P1_100k" in str(raised.value)


def test_every_row_belongs_to_a_benchmark_that_runs() -> None:
    assert {module for _, module in rows.ROWS.values()} <= set(MODULES)


def test_rows_are_gathered_from_every_module_in_the_tables_order() -> None:
    results = {
        "machine": {"cpu_count": 2},
        "ledger": {
            "single": {},
            "rows": [
                rows.row("P4", 0.9, "", baseline=0.4, ratio=0.9, target="ratio >= 0.8", meets=True),
                rows.row("P3", 2000, "tx/s", baseline=3000, ratio=2 / 3, target="r", meets=True),
            ],
        },
        "search": [{"name": "an older module returns a list"}],
        "postcodes": {"rows": 1_000_000},
        "api": {
            "rows": [rows.row("P1", 40, "req/s", baseline=900, ratio=0.04, target="r", meets=False)]
        },
        "channel_layers": {},
    }
    found = rows.collect(results)
    assert [r["id"] for r in found] == ["P1", "P3", "P4"]
    assert all(list(r) == list(rows.FIELDS) for r in found)
    assert found[1]["ratio"] == 0.667
    assert found[0]["name"] == rows.ROWS["P1"][0]
    assert "no" in rows.table(found).splitlines()[1]


def test_a_ratio_that_cannot_be_measured_is_written_as_null() -> None:
    made = rows.row("P8", 10, "ms", baseline=None, ratio=float("inf"), target="t", meets=False)
    assert (made["baseline"], made["ratio"]) == (None, None)
    assert "-" in rows.table([made])


def test_the_results_file_carries_the_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "RESULTS", tmp_path / "results.json")
    p1 = rows.row("P1", 40, "req/s", baseline=900, ratio=0.044, target="ratio >= 0.5", meets=False)
    harness.write_results({"api": {"rows": [p1]}, "rows": rows.collect({"api": {"rows": [p1]}})})
    written = json.loads((tmp_path / "results.json").read_text())
    assert written["rows"] == [p1]
    assert "generated" in written


@pytest.mark.django_db
def test_a_benchmark_written_by_someone_else_may_be_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bench.__main__.OPTIONAL", {"not_written_yet"})
    runners = _runners(["ledger", "not_written_yet"])
    assert list(runners) == ["ledger"]
    with pytest.raises(ModuleNotFoundError):
        _runners(["neither_optional_nor_there"])


@pytest.mark.django_db
def test_pgbench_runs_the_sql_of_one_transfer_with_the_accounts_as_variables() -> None:
    scheme = Scheme.objects.create(name="Benchtest", slug="benchtest")
    account_for(scheme=scheme, kind=Account.Kind.ISSUANCE)
    pairs = [(_funded_wallet(scheme, f"w{n}", 5), _till(scheme, f"t{n}")) for n in range(2)]
    script = pgbench_script(scheme, pairs)
    assert "coins_transfer_post" in script or "INSERT" in script
    assert ":wallet" in script and ":till" in script and ":client_id" in script
    assert "%s" not in script
    for wallet, till in pairs:  # the two captured transfers went through, a coin each
        wallet.refresh_from_db()
        till.refresh_from_db()
        assert (wallet.balance, till.balance) == (4, 1)
