"""The webhook and the sponsorship rules, with hand-made signed events (no Stripe)."""

import json
from typing import Any

import pytest
from django.test import Client

from coins.funding import SponsorshipUnavailable, sponsorship_start, stripe_event_process
from coins.models import Account, Currency, Sponsorship, StripeEvent, Transfer
from coins.services import LedgerError, account_for, wallet_for
from tests.coins.conftest import signed
from tests.coins.factories import make_scheme
from tests.conftest import STRIPE_WEBHOOK_SECRET, make_user

URL = "/stripe/webhook/"


@pytest.fixture
def keys(settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = "sk_test_nowhere"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_nowhere"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: no test calls out


def _post(client: Client, event: dict[str, Any], secret: str = STRIPE_WEBHOOK_SECRET) -> int:
    payload = json.dumps(event).encode()
    response = client.post(
        URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signed(payload, secret)
    )
    return int(response.status_code)


def _pending(pence: int = 2000, intent: str = "pi_test_1") -> Sponsorship:
    scheme = make_scheme()
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    return Sponsorship.objects.create(
        scheme=scheme,
        sponsor=make_user("sponsor@example.org"),
        account=fund,
        amount_pence=pence,
        payment_intent_id=intent,
    )


def _intent_event(event_id: str, sponsorship: Sponsorship, **changes: Any) -> dict[str, Any]:
    intent = {
        "id": sponsorship.payment_intent_id,
        "object": "payment_intent",
        "amount": sponsorship.amount_pence,
        "currency": "gbp",
        "metadata": {"sponsorship": str(sponsorship.pk)},
        "status": "succeeded",
    } | changes
    return {"id": event_id, "type": "payment_intent.succeeded", "data": {"object": intent}}


def _refund_event(event_id: str, sponsorship: Sponsorship, refunded: bool = True) -> dict[str, Any]:
    pence = sponsorship.amount_pence
    charge = {
        "id": "ch_test_1",
        "object": "charge",
        "amount": pence,
        "amount_refunded": pence if refunded else pence // 2,
        "refunded": refunded,
        "paid": True,
        "payment_intent": sponsorship.payment_intent_id,
    }
    return {"id": event_id, "type": "charge.refunded", "data": {"object": charge}}


def _fund_balance(sponsorship: Sponsorship) -> int:
    sponsorship.account.refresh_from_db()
    return sponsorship.account.balance


def test_the_webhook_refuses_a_bad_signature_and_stores_nothing(db: None, keys: None) -> None:
    sponsorship = _pending()
    client = Client()
    event = _intent_event("evt_1", sponsorship)

    assert _post(client, event, secret="whsec_wrong") == 400
    assert client.post(URL, b"{}", content_type="application/json").status_code == 400
    payload = b"not json"
    bad_json = client.post(
        URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signed(payload)
    )
    assert bad_json.status_code == 400
    assert _post(client, {"type": "no id"}) == 400
    assert not StripeEvent.objects.exists()
    assert _fund_balance(sponsorship) == 0


def test_the_webhook_takes_only_posts_and_only_when_stripe_is_set_up(
    db: None, settings: Any
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert Client().get(URL).status_code == 405
    assert _post(Client(), {"id": "evt_1", "type": "x", "data": {"object": {}}}) == 400


def test_an_event_is_stored_once_and_processed_after_commit(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    sponsorship = _pending()
    event = _intent_event("evt_1", sponsorship)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert _post(Client(), event) == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(Client(), event) == 200  # processed already: nothing queued again

    assert len(callbacks) == 3  # the processing, then the receipt: to the page, by e-mail
    assert StripeEvent.objects.get().outcome == "credited"
    assert _fund_balance(sponsorship) == 2000
    assert stripe_event_process(event_id="evt_1") == "credited"  # a retried task: no-op
    assert _fund_balance(sponsorship) == 2000


def test_a_refund_before_the_payment_and_repeats_of_both_leave_nothing(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    sponsorship = _pending(pence=3000)
    clearing = account_for(
        scheme=sponsorship.scheme, kind=Account.Kind.CLEARING, currency=Currency.GBP
    )
    events = [
        _refund_event("evt_refund", sponsorship),
        _intent_event("evt_paid", sponsorship),
        _intent_event("evt_paid", sponsorship),
        _intent_event("evt_paid_again", sponsorship),
        _refund_event("evt_refund", sponsorship),
        _refund_event("evt_refund_again", sponsorship),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        answers = [_post(Client(), event) for event in events]

    assert answers == [200] * 6
    sponsorship.refresh_from_db()
    clearing.refresh_from_db()
    assert sponsorship.status == Sponsorship.State.REFUNDED
    assert (_fund_balance(sponsorship), clearing.balance) == (0, 0)
    assert Transfer.objects.filter(kind=Transfer.Kind.SPONSORSHIP).count() == 1
    assert Transfer.objects.filter(kind=Transfer.Kind.REVERSAL).count() == 1
    assert StripeEvent.objects.count() == 4


def test_a_partial_refund_is_recorded_but_not_reversed(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    sponsorship = _pending()
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), _intent_event("evt_paid", sponsorship))
        _post(Client(), _refund_event("evt_part", sponsorship, refunded=False))

    assert "partial refund" in StripeEvent.objects.get(event_id="evt_part").outcome
    assert _fund_balance(sponsorship) == 2000


def test_a_payment_of_another_amount_is_not_credited(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    sponsorship = _pending(pence=2000)
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), _intent_event("evt_paid", sponsorship, amount=200))

    assert "not credited" in StripeEvent.objects.get().outcome
    assert _fund_balance(sponsorship) == 0


def test_a_group_account_receives_its_sponsorship_in_pence(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    scheme = make_scheme()
    owner = make_user("group-stand-in@example.org")  # coins/ needs only an owner
    group = account_for(scheme=scheme, kind=Account.Kind.GROUP, owner=owner, currency="GBP")
    sponsorship = Sponsorship.objects.create(
        scheme=scheme,
        sponsor=owner,
        account=group,
        amount_pence=1234,
        payment_intent_id="pi_group",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), _intent_event("evt_group", sponsorship))

    group.refresh_from_db()
    assert (group.balance, group.currency) == (1234, "GBP")


@pytest.mark.parametrize(
    ("pence", "message"),
    [(99, "smallest sponsorship is £1"), (1_000_001, "largest sponsorship online is £10,000")],
)
def test_sponsorship_amounts_stay_within_one_pound_and_ten_thousand(
    db: None, keys: None, pence: int, message: str
) -> None:
    scheme = make_scheme()
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    with pytest.raises(LedgerError, match=message):
        sponsorship_start(scheme=scheme, sponsor=make_user(), account=fund, amount_pence=pence)
    assert not Sponsorship.objects.exists()


def test_sponsorship_goes_only_to_a_gbp_fund_or_group(db: None, keys: None) -> None:
    scheme = make_scheme()
    sponsor = make_user()
    with pytest.raises(LedgerError, match="fund or to one of its groups"):
        sponsorship_start(
            scheme=scheme,
            sponsor=sponsor,
            account=wallet_for(scheme=scheme, user=sponsor),
            amount_pence=500,
        )


def test_without_stripe_keys_sponsorship_is_not_offered(db: None, settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = ""
    scheme = make_scheme()
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    with pytest.raises(SponsorshipUnavailable, match="not set up"):
        sponsorship_start(scheme=scheme, sponsor=make_user(), account=fund, amount_pence=500)


def test_when_stripe_cannot_be_reached_the_sponsorship_is_marked_failed(
    db: None, keys: None
) -> None:
    scheme = make_scheme()
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    with pytest.raises(SponsorshipUnavailable, match="could not be started"):
        sponsorship_start(scheme=scheme, sponsor=make_user(), account=fund, amount_pence=500)
    assert Sponsorship.objects.get().status == Sponsorship.State.FAILED


@pytest.mark.django_db(transaction=True)
def test_events_about_one_payment_processed_at_once_credit_it_once(keys: None) -> None:
    from tests.coins.test_concurrency import in_threads

    sponsorship = _pending(pence=2500)
    for n in range(10):
        kind = "refund" if n == 9 else "paid"
        event = (
            _refund_event(f"evt_{n}", sponsorship)
            if kind == "refund"
            else _intent_event(f"evt_{n}", sponsorship)
        )
        StripeEvent.objects.create(event_id=event["id"], type=event["type"], payload=event)

    outcomes = in_threads(10, lambda n: stripe_event_process(event_id=f"evt_{n}"))

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert Transfer.objects.filter(kind=Transfer.Kind.SPONSORSHIP).count() == 1
    assert Transfer.objects.filter(kind=Transfer.Kind.REVERSAL).count() == 1
    assert _fund_balance(sponsorship) == 0
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.State.REFUNDED


def _canceled_event(event_id: str, sponsorship: Sponsorship) -> dict[str, Any]:
    event = _intent_event(event_id, sponsorship, status="canceled")
    return event | {"type": "payment_intent.canceled"}


def test_stripe_cancelling_an_unfinished_payment_marks_it_cancelled_once(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    sponsorship = _pending()
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            _post(Client(), event)
            for event in (
                _canceled_event("evt_cancel", sponsorship),
                _canceled_event("evt_cancel", sponsorship),
                _canceled_event("evt_cancel_again", sponsorship),
            )
        ]

    assert answers == [200, 200, 200]
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.State.CANCELLED
    outcomes = dict(StripeEvent.objects.values_list("event_id", "outcome"))
    assert outcomes == {"evt_cancel": "cancelled", "evt_cancel_again": "already cancelled"}


def test_a_success_or_a_refund_after_a_cancel_credits_nothing(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    sponsorship = _pending(pence=2200)
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), _canceled_event("evt_cancel", sponsorship))
        _post(Client(), _intent_event("evt_paid_late", sponsorship))
        _post(Client(), _refund_event("evt_refund_late", sponsorship))

    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.State.CANCELLED
    assert sponsorship.transfer_id is None
    assert _fund_balance(sponsorship) == 0
    assert not Transfer.objects.exists()
    outcomes = dict(StripeEvent.objects.values_list("event_id", "outcome"))
    assert "not credited" in outcomes["evt_paid_late"]
    assert "nothing to reverse" in outcomes["evt_refund_late"]


def test_a_cancel_event_for_a_paid_sponsorship_changes_nothing(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    sponsorship = _pending(pence=1500)
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), _intent_event("evt_paid", sponsorship))
        _post(Client(), _canceled_event("evt_cancel", sponsorship))

    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.State.PAID
    assert _fund_balance(sponsorship) == 1500
    assert StripeEvent.objects.get(event_id="evt_cancel").outcome == "already paid: not cancelled"


def test_the_database_refuses_a_credit_on_a_cancelled_sponsorship(db: None) -> None:
    from django.db import IntegrityError, transaction

    from coins.services import Leg, transfer_post

    sponsorship = _pending(pence=1000)
    Sponsorship.objects.filter(pk=sponsorship.pk).update(status=Sponsorship.State.CANCELLED)
    clearing = account_for(
        scheme=sponsorship.scheme, kind=Account.Kind.CLEARING, currency=Currency.GBP
    )
    credit = transfer_post(
        scheme=sponsorship.scheme,
        kind=Transfer.Kind.SPONSORSHIP,
        key="sponsorship:pi_test_1",
        legs=[Leg(clearing, -1000), Leg(sponsorship.account, 1000)],
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Sponsorship.objects.filter(pk=sponsorship.pk).update(transfer=credit)


def test_an_event_about_another_payment_intent_credits_nothing(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    """A payment whose metadata names a sponsorship that already has its own PaymentIntent
    (or a PaymentIntent we never made) is not that sponsorship's money."""
    sponsorship = _pending(pence=2000, intent="pi_ours")
    forged = _intent_event("evt_forged", sponsorship, id="pi_someone_elses")
    unknown = _intent_event("evt_unknown", sponsorship, id="pi_unknown", metadata={})
    with django_capture_on_commit_callbacks(execute=True):
        assert [_post(Client(), forged), _post(Client(), unknown)] == [200, 200]

    outcomes = set(StripeEvent.objects.values_list("outcome", flat=True))
    assert outcomes == {"no sponsorship for this payment"}
    sponsorship.refresh_from_db()
    assert (sponsorship.status, sponsorship.payment_intent_id) == ("pending", "pi_ours")
    assert _fund_balance(sponsorship) == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0.50", "The smallest sponsorship is £1."),
        ("10000.01", "The largest sponsorship online is £10,000."),
        ("12.345", "Enter an amount in pounds, like 25 or 25.50."),
        ("-5", "Enter an amount in pounds, like 25 or 25.50."),
    ],
)
def test_a_wrong_amount_is_explained_and_starts_nothing(
    db: None, keys: None, amount: str, message: str
) -> None:
    scheme = make_scheme()
    client = Client()
    client.force_login(make_user())

    answer = client.post("/sponsor/", {"to": f"fund:{scheme.pk}", "amount": amount})

    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not Sponsorship.objects.exists()


def test_a_sponsor_cannot_cancel_a_paid_sponsorship(
    db: None, keys: None, django_capture_on_commit_callbacks: Any
) -> None:
    sponsorship = _pending(pence=1500)
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), _intent_event("evt_paid", sponsorship))
    client = Client()
    client.force_login(sponsorship.sponsor)

    answer = client.post(f"/sponsor/{sponsorship.pk}/cancel/", follow=True)

    assert "This payment is paid: there is nothing to cancel." in answer.content.decode()
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.State.PAID
    assert _fund_balance(sponsorship) == 1500


def test_celery_beat_cancels_unfinished_payments_every_hour(settings: Any) -> None:
    from backend.celery import app

    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "coins.tasks.sponsorships_expire_task"
    ]
    assert len(entries) == 1
    assert entries[0]["schedule"].minute == {20}
    assert "coins.tasks.sponsorships_expire_task" in app.tasks


def test_localstripe_is_told_to_send_every_event_the_webhook_acts_on() -> None:
    from coins.funding import HANDLERS
    from coins.localstripe_launch import STRIPE_EVENTS

    assert set(STRIPE_EVENTS) == set(HANDLERS)
