from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import GroupOrganiser, Shift, Signup
from marketplace.board.services.hours import hours_claim, hours_confirm
from marketplace.organisations import Status
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db


def test_anyone_can_search_and_read_opportunities_through_the_api(client: Client) -> None:
    shift = make_shift(title="Community gardening")
    make_shift(group=make_group("Pending", status=Status.PENDING), title="Hidden gardening")
    body = client.get("/api/v1/opportunities", {"q": "gardning"}).json()
    assert body["count"] == 1
    assert body["results"][0]["title"] == "Community gardening"

    detail = client.get(f"/api/v1/opportunities/{shift.opportunity_id}").json()
    assert detail["shifts"][0]["places_left"] == 10
    assert detail["group"] == "Park Friends"


def test_bad_filters_get_a_422_naming_the_field(client: Client) -> None:
    response = client.get("/api/v1/opportunities", {"postcode": "ZZ9 9ZZ", "miles": "7"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"postcode", "miles"}


def test_sign_up_list_and_cancel_through_the_api(client: Client, resident: User) -> None:
    shift = make_shift(capacity=1)
    client.force_login(resident)
    created = client.post(f"/api/v1/shifts/{shift.pk}/signups")
    assert created.status_code == 201
    assert created.json()["status"] == "confirmed"
    assert created.json()["shift"]["places_left"] == 0
    mine = client.get("/api/v1/me/signups").json()
    assert [s["id"] for s in mine] == [created.json()["id"]]
    cancelled = client.post(f"/api/v1/me/signups/{mine[0]['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert client.get("/api/v1/me/signups").json() == []


def test_a_refused_api_sign_up_is_a_409_with_the_reason(client: Client, resident: User) -> None:
    shift = make_shift(dbs_required=True)
    client.force_login(resident)
    response = client.post(f"/api/v1/shifts/{shift.pk}/signups")
    assert response.status_code == 409
    assert "needs a DBS check" in response.json()["detail"]
    assert not Signup.objects.exists()


def test_api_sign_up_needs_a_login(client: Client) -> None:
    shift = make_shift()
    assert client.post(f"/api/v1/shifts/{shift.pk}/signups").status_code == 401


def signed_up_to(resident: User, *, title: str, days_ago: int, status: str = "confirmed") -> Signup:
    shift = make_shift(title=title)
    start = timezone.now() - timedelta(days=days_ago)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    shift.refresh_from_db()
    return Signup.objects.create(shift=shift, user=resident, status=status)


def test_past_signups_carry_their_hours_and_the_default_list_is_as_before(
    client: Client, resident: User
) -> None:
    confirmed = signed_up_to(resident, title="Beach clean", days_ago=2)
    claimed = signed_up_to(resident, title="Food bank", days_ago=1)
    signed_up_to(resident, title="Cancelled one", days_ago=3, status=Signup.State.CANCELLED)
    upcoming = make_shift(title="Park tidy").signups.create(user=resident, status="confirmed")
    organiser = GroupOrganiser.objects.get(group__slug="park-friends").user
    hours_confirm(shift=confirmed.shift, minutes={confirmed.pk: 90}, by=organiser)
    hours_claim(signup=claimed, minutes=120, by=resident)
    client.force_login(resident)

    past = client.get("/api/v1/me/signups", {"when": "past"}).json()
    assert [(s["opportunity_title"], s["hours"]) for s in past] == [
        ("Food bank", {"minutes": 120, "status": "claimed", "hours_display": "2 h", "reason": ""}),
        (
            "Beach clean",
            {"minutes": 90, "status": "confirmed", "hours_display": "1 h 30 min", "reason": ""},
        ),
    ]
    coming = client.get("/api/v1/me/signups", {"when": "upcoming"}).json()
    assert [(s["id"], s["hours"]) for s in coming] == [(upcoming.pk, None)]
    # Without `when`, as before: every sign-up still active, ended or not, soonest first.
    everything = client.get("/api/v1/me/signups").json()
    assert [s["id"] for s in everything] == [confirmed.pk, claimed.pk, upcoming.pk]
    assert client.get("/api/v1/me/signups", {"when": "yesterday"}).status_code == 422
