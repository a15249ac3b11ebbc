import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import (
    CommunityGroup,
    GroupOrganiser,
    Hours,
    Opportunity,
    Shift,
    Signup,
)
from marketplace.board.pathway import what_next
from marketplace.board.services.hours import hours_confirm
from places.selectors import postcode_found
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift
from tests.marketplace.test_opportunity_edit import form_data

pytestmark = pytest.mark.django_db

TAKEN = "A taster cannot need a DBS check."


def organiser_of(group: CommunityGroup) -> User:
    return GroupOrganiser.objects.filter(group=group).first().user  # type: ignore[union-attr]


def placed(shift: Shift, postcode: str) -> Shift:
    opportunity = shift.opportunity
    opportunity.postcode = postcode
    opportunity.place_at(postcode_found(postcode))
    opportunity.save()
    return shift


def volunteered(
    user: User,
    *,
    group: CommunityGroup,
    postcode: str = "BK1 1AA",
    days_ago: int = 7,
    **fields: Any,
) -> Shift:
    """A past shift the person came to, with their hours confirmed."""
    shift = placed(make_shift(group=group, title="Past litter pick", **fields), postcode)
    start = timezone.now() - timedelta(days=days_ago)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    signup = Signup.objects.create(
        shift=shift, user=user, status=Signup.State.CONFIRMED, attended=True
    )
    Hours.objects.create(
        signup=signup, minutes=120, status=Hours.State.CONFIRMED, decided_at=timezone.now()
    )
    return shift


def offered(title: str, *, group: CommunityGroup, postcode: str, **fields: Any) -> Opportunity:
    fields.setdefault("causes", ["environment"])
    return placed(make_shift(group=group, title=title, **fields), postcode).opportunity


def titles(user: User, limit: int = 3) -> list[str]:
    return [s.opportunity.title for s in what_next(user, limit=limit)]


# The taster: the organiser's form and API, the board's filter and tag.


def test_a_taster_needing_a_dbs_check_is_refused_with_a_reason(client: Client) -> None:
    group = make_group()
    client.force_login(organiser_of(group))
    data = form_data(taster="on", dbs_required="on")
    page = client.post(f"/organise/groups/{group.pk}/opportunities/new/", data).content.decode()
    assert "There is a problem" in page
    assert TAKEN in page
    assert not Opportunity.objects.exists()


def test_the_database_refuses_a_taster_that_needs_a_dbs_check() -> None:
    with pytest.raises(IntegrityError):
        make_shift(taster=True, dbs_required=True)


def test_an_organiser_marks_a_taster_on_the_page_and_the_board_tags_it(client: Client) -> None:
    group = make_group()
    client.force_login(organiser_of(group))
    page = client.get(f"/organise/groups/{group.pk}/opportunities/new/").content.decode()
    assert "This is a taster: short, no commitment, no DBS check" in page
    response = client.post(
        f"/organise/groups/{group.pk}/opportunities/new/", form_data(taster="on")
    )
    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    assert opportunity.taster
    detail = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert '<span class="tag">Taster</span>' in detail
    board = client.get("/opportunities/").content.decode()
    assert '<span class="tag">Taster</span>' in board


def send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    call = getattr(client, method)
    return call(f"/api/v1{path}", json.dumps(body), content_type="application/json")


def test_the_organiser_api_takes_a_taster_and_refuses_one_with_a_dbs_check(
    client: Client,
) -> None:
    group = make_group()
    client.force_login(organiser_of(group))
    body = {"title": "Try bell ringing", "description": "One hour.", "causes": ["arts"]}
    refused = send(
        client,
        "post",
        f"/organise/groups/{group.pk}/opportunities",
        {**body, "taster": True, "dbs_required": True},
    )
    assert refused.status_code == 422
    assert TAKEN in refused.json()["errors"]["taster"][0]
    created = send(
        client, "post", f"/organise/groups/{group.pk}/opportunities", {**body, "taster": True}
    )
    assert created.status_code == 201
    assert created.json()["taster"] is True
    pk = created.json()["id"]
    # Asking for a DBS check later, on a taster, is refused the same way.
    changed = send(client, "patch", f"/organise/opportunities/{pk}", {"dbs_required": True})
    assert changed.status_code == 422
    assert TAKEN in changed.json()["errors"]["taster"][0]
    assert not Opportunity.objects.get(pk=pk).dbs_required


def test_the_board_and_its_api_filter_tasters(client: Client) -> None:
    make_shift(title="Try bell ringing", taster=True)
    make_shift(title="Weekly tower duty")
    page = client.get("/opportunities/", {"taster": "on"}).content.decode()
    assert "Tasters only: short, no commitment" in page
    assert "Try bell ringing" in page and "Weekly tower duty" not in page
    assert "1 opportunity" in page
    found = client.get("/api/v1/opportunities", {"taster": "true"}).json()
    assert [(o["title"], o["taster"]) for o in found["results"]] == [("Try bell ringing", True)]
    everything = client.get("/api/v1/opportunities").json()
    assert everything["count"] == 2


# What next.


def test_someone_who_has_not_volunteered_yet_gets_no_suggestions(
    client: Client, resident: User
) -> None:
    make_shift(title="Try bell ringing", taster=True)
    assert what_next(resident) == []
    client.force_login(resident)
    assert "What next?" not in client.get("/my-shifts/").content.decode()
    page = client.get("/what-next/").content.decode()
    assert "Once you have given your first shift" in page
    assert "Try bell ringing" not in page


def test_what_next_offers_new_groups_or_causes_they_could_still_take(resident: User) -> None:
    resident.postcode = "BK1 1AA"
    resident.save()
    park = make_group("Park Friends")
    volunteered(resident, group=park, causes=["environment"])
    other = make_group("Food Bank")
    offered("Same again", group=park, postcode="BK1 1AA")
    offered("Park cooking", group=park, postcode="BK1 1AA", causes=["food"])
    offered("Food bank garden", group=other, postcode="BK1 1AA")
    offered("Draft", group=other, postcode="BK1 1AA", status=Opportunity.State.DRAFT)
    offered("Full up", group=other, postcode="BK1 1AA", capacity=1)
    full = Opportunity.objects.get(title="Full up").shifts.get()
    Signup.objects.create(shift=full, user=make_user("a@example.org"), status="confirmed")
    offered("Needs a DBS check", group=other, postcode="BK1 1AA", dbs_required=True)
    offered("Adults only", group=other, postcode="BK1 1AA", minimum_age=18)
    mine = offered("Already going", group=other, postcode="BK1 1AA").shifts.get()
    Signup.objects.create(shift=mine, user=resident, status="confirmed")

    suggestions = {s.opportunity.title: s for s in what_next(resident, limit=10)}
    assert set(suggestions) == {"Park cooking", "Food bank garden"}
    assert suggestions["Park cooking"].new_causes == ["Food and hunger"]
    assert not suggestions["Park cooking"].new_group
    assert suggestions["Food bank garden"].new_group


def test_nearest_first_and_tasters_first_among_equals(resident: User) -> None:
    resident.postcode = "BK1 1AA"
    resident.save()
    volunteered(resident, group=make_group("Park Friends"))
    other = make_group("Food Bank")
    offered("Two miles off", group=other, postcode="BK3 2AA", days_ahead=1)
    offered("Round the corner", group=other, postcode="BK1 1AA", days_ahead=1)
    offered(
        "Round the corner, a taster", group=other, postcode="BK1 1AA", days_ahead=2, taster=True
    )
    assert titles(resident) == ["Round the corner, a taster", "Round the corner", "Two miles off"]


def test_at_least_one_suggestion_is_outside_their_home_ward(resident: User) -> None:
    resident.postcode = "BK1 1AA"  # Millbrook
    resident.save()
    volunteered(resident, group=make_group("Park Friends"))
    other = make_group("Food Bank")
    for postcode in ("BK1 1AA", "BK4 1AA", "BK2 2AA"):  # Millbrook, nearest first
        offered(f"Millbrook {postcode}", group=other, postcode=postcode)
    offered("Eastfield", group=other, postcode="BK3 1AA")  # eight miles off
    suggestions = what_next(resident)
    assert [s.opportunity.title for s in suggestions] == [
        "Millbrook BK1 1AA",
        "Millbrook BK4 1AA",
        "Eastfield",
    ]
    assert [s.outside_ward for s in suggestions] == [False, False, True]
    # With nothing outside the ward, the nearest three stand.
    Opportunity.objects.filter(title="Eastfield").update(status=Opportunity.State.CLOSED)
    assert titles(resident) == ["Millbrook BK1 1AA", "Millbrook BK4 1AA", "Millbrook BK2 2AA"]


def test_without_a_postcode_their_last_opportunity_gives_the_place_and_ward(
    resident: User,
) -> None:
    park = make_group("Park Friends")
    volunteered(resident, group=park, postcode="BK1 1AA", days_ago=30)
    volunteered(resident, group=park, postcode="BK3 2AA", days_ago=3)  # Central, the latest
    other = make_group("Food Bank")
    offered("Central A", group=other, postcode="BK3 2AA")
    offered("Central B", group=other, postcode="BK3 2AA")
    offered("Millbrook", group=other, postcode="BK1 1AA")
    assert titles(resident, limit=2) == ["Central A", "Millbrook"]


def test_my_shifts_shows_what_next_for_sixty_days_after_the_first_shift(
    client: Client, resident: User
) -> None:
    past = volunteered(resident, group=make_group("Park Friends"), days_ago=10)
    offered("Food bank garden", group=make_group("Food Bank"), postcode="BK3 2AA", taster=True)
    client.force_login(resident)
    page = client.get("/my-shifts/").content.decode()
    assert "What next?" in page and "Food bank garden" in page
    assert "A group new to you" in page
    assert "Food bank garden" in client.get("/what-next/").content.decode()
    start = timezone.now() - timedelta(days=61)
    Shift.objects.filter(pk=past.pk).update(start=start, end=start + timedelta(hours=2))
    page = client.get("/my-shifts/").content.decode()
    assert "What next?" not in page
    assert "Food bank garden" in client.get("/what-next/").content.decode()


def test_the_what_next_page_needs_a_login(client: Client) -> None:
    response = client.get("/what-next/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_first_confirmed_session_points_to_what_next_and_later_ones_to_the_wallet(
    resident: User,
) -> None:
    organiser = make_user("organiser.next@example.org")
    group = make_group("Next Steps")
    GroupOrganiser.objects.create(group=group, user=organiser)
    told = []
    for days in (10, 3):
        shift = make_shift(group=group, days_ahead=-days, hours=2)
        Signup.objects.create(shift=shift, user=resident, status=Signup.State.CONFIRMED)
        hours_confirm(shift=shift, minutes={}, by=organiser)
        told.append(resident.notifications.filter(kind="hours_confirmed").latest("pk"))
    assert told[0].url == "/what-next/" and "try next" in told[0].body
    assert told[1].url == "/wallet/" and "try next" not in told[1].body
