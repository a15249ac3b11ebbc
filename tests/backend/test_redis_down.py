"""With Redis down (cache, channel layer and Celery's broker all unreachable), a write
that committed answers success, and people can still log in: the after-commit side
effects are logged, never turned into an error page."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from channels.layers import channel_layers
from django.test import Client

from backend.celery import app as celery_app
from coins.models import Transfer
from marketplace.board.models import GroupOrganiser, Signup
from marketplace.rewards.services.redemptions import redemption_code_create
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import PASSWORD, make_user
from tests.marketplace.factories import make_offer, make_shift, staff_of

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.fixture
def redis_down(settings: Any) -> Iterator[None]:
    settings.CACHES = {
        "default": {
            "BACKEND": "backend.cache.ForgivingRedisCache",
            "LOCATION": DEAD,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [DEAD]},
        }
    }
    channel_layers.backends = {}
    names = ("task_always_eager", "broker_url", "broker_connection_timeout")
    was = {name: celery_app.conf[name] for name in names}
    celery_app.conf.update(task_always_eager=False, broker_url=DEAD, broker_connection_timeout=1)
    try:
        yield
    finally:
        celery_app.conf.update(was)
        channel_layers.backends = {}


@pytest.mark.django_db
def test_a_sign_up_that_committed_answers_success_with_redis_down(
    client: Client, redis_down: None, django_capture_on_commit_callbacks: Any
) -> None:
    shift = make_shift(title="Riverside planting")
    GroupOrganiser.objects.create(
        group=shift.opportunity.group, user=make_user("org-down@example.org")
    )  # whose open page would be told, over the channel layer that is down
    client.force_login(make_user("down@example.org", display_name="Dee"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/shifts/{shift.pk}/sign-up/")
    assert callbacks  # the after-commit work was tried, and failed
    assert response.status_code == 302 and response["Location"] == "/my-shifts/"
    assert Signup.objects.filter(shift=shift, user__email="down@example.org").exists()


@pytest.mark.django_db
def test_people_can_log_in_with_redis_down(client: Client, redis_down: None) -> None:
    make_user("login-down@example.org")
    response = client.post(
        "/accounts/login/", {"login": "login-down@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_gift_that_committed_answers_success_with_redis_down(
    client: Client, redis_down: None, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_user("gives-down@example.org", display_name="Gil")
    give_coins(make_scheme(), person, 20)
    make_user("gets-down@example.org", display_name="Gwen")
    client.force_login(person)
    data = {
        "to": "person",
        "email": "gets-down@example.org",
        "amount": 5,
        "request_id": str(uuid.uuid4()),
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/wallet/give/", data)
    assert callbacks
    assert response.status_code == 302 and response["Location"] == "/wallet/"
    assert Transfer.objects.filter(kind=Transfer.Kind.DONATION).count() == 1


@pytest.mark.django_db
def test_a_till_confirm_that_committed_answers_success_with_redis_down(
    client: Client, redis_down: None, django_capture_on_commit_callbacks: Any
) -> None:
    sam = make_user("pays-down@example.org", display_name="Sam")
    give_coins(make_scheme(), sam, 30)
    offer = make_offer(price=12)
    code = redemption_code_create(user=sam, offer=offer)
    client.force_login(staff_of(offer.retailer))
    shop = f"/shop/{offer.retailer.pk}"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"{shop}/till/{code.pk}/confirm/", {"token": code.token})
    assert callbacks  # the shop's takings and the resident's wallet were to be told live
    assert response.status_code == 302 and response["Location"] == f"{shop}/receipts/{code.pk}/"
    assert Transfer.objects.filter(kind=Transfer.Kind.SPEND).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/opportunities/",
        "/opportunities/?q=planting",
        "/opportunities/{opportunity}/",
        "/my-shifts/",
        "/wallet/",
        "/rewards/",
        "/notifications/",
        "/api/v1/opportunities?q=planting",
        "/api/v1/wallet",
    ],
)
def test_a_residents_pages_open_with_redis_down(
    client: Client, redis_down: None, path: str
) -> None:
    shift = make_shift(title="Riverside planting")
    make_offer(title="Tea and cake")
    resident = make_user("reads-down@example.org")
    give_coins(make_scheme(), resident, 10)
    client.force_login(resident)
    response = client.get(path.format(opportunity=shift.opportunity_id))
    assert response.status_code == 200, path
