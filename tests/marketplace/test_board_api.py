import pytest
from django.test import Client

from accounts.models import User
from marketplace.models import Signup, Status
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
