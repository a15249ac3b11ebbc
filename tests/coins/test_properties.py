"""Random sequences of mint, spend, donate and reverse never break the ledger."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coins.models import Account, Transfer
from coins.services import (
    InsufficientFunds,
    LedgerError,
    Leg,
    coins_donate,
    transfer_post,
    transfer_reverse,
    wallet_for,
)
from coins.verify import ledger_problems
from tests.coins.factories import issuance, make_scheme, shop
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
PEOPLE = 3
person = st.integers(min_value=0, max_value=PEOPLE - 1)
amount = st.integers(min_value=1, max_value=60)
operation = st.one_of(
    st.tuples(st.just("mint"), person, amount),
    st.tuples(st.just("spend"), person, amount),
    st.tuples(st.just("donate"), person, person, amount),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=30)),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operation, min_size=1, max_size=25))
def test_random_sequences_keep_every_invariant(ops: list[tuple]) -> None:
    with transaction.atomic():
        run(ops)
        transaction.set_rollback(True)  # each example starts from an empty ledger


def run(ops: list[tuple]) -> None:
    scheme = make_scheme()
    users = [make_user(f"p{n}@example.org") for n in range(PEOPLE)]
    wallets = [wallet_for(scheme=scheme, user=u) for u in users]
    till = shop(scheme, make_user("shop@example.org"))
    expected = {w.pk: 0 for w in [*wallets, till]}
    posted: list[Transfer] = []
    keys = (f"k{n}" for n in itertools.count())

    for op in ops:
        try:
            if op[0] == "mint":
                _, who, n = op
                posted.append(post("mint", next(keys), issuance(scheme), wallets[who], n))
                expected[wallets[who].pk] += n
            elif op[0] == "spend":
                _, who, n = op
                posted.append(post("spend", next(keys), wallets[who], till, n))
                expected[wallets[who].pk] -= n
                expected[till.pk] += n
            elif op[0] == "donate":
                _, giver, taker, n = op
                posted.append(
                    coins_donate(
                        scheme=scheme,
                        sender=users[giver],
                        to=wallets[taker],
                        amount=n,
                        key=next(keys),
                        memo="Gift to another resident",
                    )
                )
                expected[wallets[giver].pk] -= n
                expected[wallets[taker].pk] += n
            elif op[0] == "reverse" and posted:
                target = posted[op[1] % len(posted)]
                already = Transfer.objects.filter(reverses=target).exists()
                transfer_reverse(transfer=target, actor=None, reason="test")
                if not already:
                    for entry in target.entries.all():
                        if entry.account_id in expected:
                            expected[entry.account_id] -= entry.amount
        except InsufficientFunds:
            pass  # refused: must have moved nothing, which the balances below check
        except LedgerError as refused:
            assert "yourself" in str(refused) or "already a reversal" in str(refused)

        balances = dict(Account.objects.filter(pk__in=expected).values_list("pk", "balance"))
        assert balances == expected
        assert min(balances.values()) >= 0
    assert ledger_problems() == []
    call_command("verify_ledger", stdout=io.StringIO())


def post(kind: str, key: str, source: Account, target: Account, n: int) -> Transfer:
    return transfer_post(
        scheme=source.scheme,
        kind=kind,
        key=key,
        legs=[Leg(source, -n), Leg(target, n)],
    )
