"""The ledger's price of safety: `transfer_post` against bare inserts of the same rows,
and many tills spending from one wallet at once against the same load over many wallets."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from functools import partial
from statistics import median
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bench.harness import ratio, say, timed_ms
from coins.models import Account, Entry, Scheme, Transfer
from coins.services import Leg, account_for, transfer_post, wallet_for

POSTS = 2_000
THREADS = 8
SPENDS_EACH = 250
ROUNDS = 5  # of SPENDS_EACH / ROUNDS spends per thread


def run() -> dict[str, Any]:
    scheme = Scheme.objects.create(name="Ledgerford", slug="ledgerford")
    say("\nledger: one coin from a wallet to a shop, each in its own transaction")
    return {"single": _single(scheme), "contention": _contention(scheme)}


def _single(scheme: Scheme) -> dict[str, Any]:
    wallet, till = _funded_wallet(scheme, "single", POSTS), _till(scheme, "single")
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
    """The rows transfer_post writes, with none of its locks, checks or balance updates."""
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


def _contention(scheme: Scheme) -> dict[str, Any]:
    say(f"  {THREADS} threads x {SPENDS_EACH} spends, each thread its own connection:")
    total = THREADS * SPENDS_EACH
    shared = _funded_wallet(scheme, "shared", total)
    # Enough for both runs that use them.
    wallets = [_funded_wallet(scheme, f"own{n}", 2 * SPENDS_EACH) for n in range(THREADS)]
    tills = [_till(scheme, f"till{n}") for n in range(THREADS)]
    busy = _till(scheme, "busy")
    n = THREADS
    runs = [
        # Each thread pays its own shop, so the wallet is the only row they share.
        ("one_wallet", f"one wallet, {n} shops", [(shared, till) for till in tills]),
        ("separate_wallets", f"{n} wallets, {n} shops", list(zip(wallets, tills, strict=True))),
        # A busy shop: every wallet pays the same till.
        ("separate_wallets_one_shop", f"{n} wallets, one shop", [(w, busy) for w in wallets]),
    ]
    # In rounds, turn about, so that other work on the machine weighs on each alike.
    seconds = dict.fromkeys((name for name, _, _ in runs), 0.0)
    for round_ in range(ROUNDS):
        for name, _, pairs in runs:
            seconds[name] += _spend_in_threads(scheme, pairs, f"{name}:{round_}")
    for name, label, _ in runs:
        say(f"    {label:<22} {seconds[name]:6.2f} s  {total / seconds[name]:6.0f} posts/s")
    shared_times = ratio(seconds["one_wallet"], seconds["separate_wallets"])
    shop_times = ratio(seconds["separate_wallets_one_shop"], seconds["separate_wallets"])
    say(f"  one shared wallet is {shared_times:.1f}x slower than {THREADS} wallets")
    say(f"  one busy shop is {shop_times:.1f}x slower than {THREADS} shops")
    return {
        "threads": THREADS,
        "spends_each": SPENDS_EACH,
        "seconds": {name: round(s, 3) for name, s in seconds.items()},
        "one_wallet_vs_separate": round(shared_times, 2),
        "one_shop_vs_separate": round(shop_times, 2),
    }


def _spend_in_threads(scheme: Scheme, pairs: list[tuple[Account, Account]], tag: str) -> float:
    """Wall time for every thread to post its spends, from the moment all are connected."""
    ready = threading.Barrier(len(pairs) + 1, timeout=60)

    def spend_all(n: int) -> None:
        try:
            wallet = Account.objects.get(pk=pairs[n][0].pk)
            till = Account.objects.get(pk=pairs[n][1].pk)
            ready.wait()
            for i in range(SPENDS_EACH // ROUNDS):
                _spend(scheme, wallet, till, f"{tag}:{n}:{i}")
        except BaseException:
            ready.abort()  # nobody waits a minute for a thread that failed
            raise
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        futures = [pool.submit(spend_all, n) for n in range(len(pairs))]
        with suppress(threading.BrokenBarrierError):  # the failing thread's error follows
            ready.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        return time.perf_counter() - started


def _spend(scheme: Scheme, wallet: Account, till: Account, key: str) -> None:
    _post(scheme, [Leg(wallet, -1), Leg(till, 1)], key)


def _post(scheme: Scheme, legs: list[Leg], key: str) -> None:
    transfer_post(scheme=scheme, kind=Transfer.Kind.SPEND, key=key, legs=legs)


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


def _person(name: str) -> User:
    user = User(email=f"{name}@bench.localhost")
    user.set_unusable_password()
    user.save()
    return user
