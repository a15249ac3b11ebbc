from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import CommunityGroup, Opportunity, SavedSearch
from marketplace.board.services.opportunities import ShiftPlan, opportunity_save
from marketplace.board.services.searches import (
    MOST_PER_PERSON,
    saved_search_chunks,
    saved_search_create,
)
from marketplace.board.tasks import saved_searches_fan_out
from marketplace.organisations import NotAllowed
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db

BEACH = {"q": "beach", "cause": "environment", "postcode": "BK2 1AA", "miles": "5"}


def publish(
    group: CommunityGroup, capture: Any, *, publish: bool = True, title: str = "Beach clean"
) -> Opportunity:
    """An organiser posts an opportunity near BK2 1AA with a shift next week; whatever
    it queues after commit runs (Celery is eager in tests)."""
    day = timezone.localdate() + timedelta(days=7)
    zone = timezone.get_current_timezone()
    plan = ShiftPlan(
        start=datetime.combine(day, time(10), tzinfo=zone),
        end=datetime.combine(day, time(13), tzinfo=zone),
        capacity=8,
    )
    opportunity = Opportunity(
        group=group,
        title=title,
        description="Bags and gloves provided.",
        causes=["environment"],
        postcode="BK2 1AA",
    )
    with capture(execute=True):
        opportunity_save(
            opportunity=opportunity,
            by=group.organisers.get().user,
            publish=publish,
            shifts=plan,
        )
    return opportunity


def matches_for(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="saved_search_match"))


def test_a_resident_saves_the_search_shown_and_finds_it_in_my_saved_searches(
    client: Client, resident: User
) -> None:
    client.force_login(resident)
    query = urlencode({**BEACH, "step_free": "on", "page": "2"})
    page = client.get(f"/opportunities/?{query}").content.decode()
    assert "Save this search — tell me about new matches" in page

    response = client.post(
        "/my-searches/save/", {"query": urlencode({**BEACH, "step_free": "on"})}, follow=True
    )
    page = response.content.decode()
    assert "Search saved." in page
    assert "You saved this search" in page

    search = SavedSearch.objects.get(user=resident)
    assert search.query == {**BEACH, "step_free": "on"}
    assert search.summary == (
        "“beach” · Environment and green spaces · within 5 miles of BK2 1AA · Step-free access"
    )
    listed = client.get("/my-searches/").content.decode()
    assert search.summary in listed
    assert 'href="/opportunities/?q=beach&amp;cause=environment' in listed


def test_saving_a_search_needs_a_login(client: Client) -> None:
    page = client.get("/opportunities/?q=beach").content.decode()
    assert "Save this search" not in page
    response = client.post("/my-searches/save/", {"query": "q=beach"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not SavedSearch.objects.exists()


def test_filters_with_a_problem_are_not_saved(client: Client, resident: User) -> None:
    client.force_login(resident)
    response = client.post("/my-searches/save/", {"query": "postcode=ZZ9 9ZZ"}, follow=True)
    assert "These filters have a problem" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_the_same_filters_saved_twice_are_kept_once_and_twenty_is_the_most(
    resident: User,
) -> None:
    first = saved_search_create(user=resident, query={"q": "beach"}, summary="“beach”")
    again = saved_search_create(user=resident, query={"q": "beach"}, summary="“beach”")
    assert first.pk == again.pk
    for n in range(MOST_PER_PERSON - 1):
        saved_search_create(user=resident, query={"q": f"word{n}"}, summary="")
    with pytest.raises(NotAllowed, match="up to 20 saved searches"):
        saved_search_create(user=resident, query={"q": "one more"}, summary="")


def test_a_resident_deletes_their_own_saved_search_and_nobody_elses(
    client: Client, resident: User
) -> None:
    mine = saved_search_create(user=resident, query={"q": "beach"}, summary="“beach”")
    theirs = saved_search_create(
        user=make_user("kim@example.org"), query={"q": "park"}, summary="“park”"
    )
    client.force_login(resident)
    assert client.post(f"/my-searches/{theirs.pk}/delete/").status_code == 404
    response = client.post(f"/my-searches/{mine.pk}/delete/", follow=True)
    assert "Deleted the saved search: “beach”." in response.content.decode()
    assert "You have no saved searches." in response.content.decode()
    assert list(SavedSearch.objects.all()) == [theirs]


def test_publishing_tells_each_resident_whose_search_matches_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    sam, kim, lee = (make_user(f"{n}@example.org") for n in ("sam", "kim", "lee"))
    saved_search_create(user=sam, query=BEACH, summary="")
    saved_search_create(user=sam, query={"cause": "environment"}, summary="")
    saved_search_create(user=kim, query={}, summary="All opportunities")
    saved_search_create(user=lee, query={"cause": "animals"}, summary="")

    opportunity = publish(make_group(), django_capture_on_commit_callbacks)

    assert [len(matches_for(person)) for person in (sam, kim, lee)] == [1, 1, 0]
    told = matches_for(sam)[0]
    assert told.title == "New: Beach clean"
    assert "Park Friends posted something that matches a search you saved." in told.body
    assert told.url == f"/opportunities/{opportunity.pk}/"


def test_a_draft_tells_nobody_until_it_is_first_published(
    django_capture_on_commit_callbacks: Any,
) -> None:
    sam = make_user("sam@example.org")
    saved_search_create(user=sam, query={"q": "beach"}, summary="")
    group = make_group()
    opportunity = publish(group, django_capture_on_commit_callbacks, publish=False)
    assert matches_for(sam) == []

    for _ in range(2):  # published, then saved again (published) later
        with django_capture_on_commit_callbacks(execute=True):
            opportunity_save(opportunity=opportunity, by=group.organisers.get().user, publish=True)
    assert len(matches_for(sam)) == 1


def test_editing_an_opportunity_that_was_already_public_tells_nobody(
    django_capture_on_commit_callbacks: Any,
) -> None:
    sam = make_user("sam@example.org")
    saved_search_create(user=sam, query={}, summary="All opportunities")
    shift = make_shift(title="Beach clean")  # public already, as the demo's are
    opportunity = shift.opportunity
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_save(
            opportunity=opportunity, by=opportunity.group.organisers.get().user, publish=True
        )
    assert matches_for(sam) == []
    opportunity.refresh_from_db()
    assert opportunity.published_at is not None


def test_the_fan_out_run_again_tells_nobody_twice(django_capture_on_commit_callbacks: Any) -> None:
    sam = make_user("sam@example.org")
    saved_search_create(user=sam, query={"q": "beach"}, summary="")
    opportunity = publish(make_group(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):  # its match tasks, queued again
        saved_searches_fan_out.delay(opportunity.pk)
    assert len(matches_for(sam)) == 1


def test_the_fan_out_splits_saved_searches_into_chunks(resident: User) -> None:
    for n in range(7):
        saved_search_create(user=resident, query={"q": f"word{n}"}, summary="")
    assert [len(chunk) for chunk in saved_search_chunks(size=3)] == [3, 3, 1]


def test_a_new_opportunity_matching_2000_residents_saved_searches_gives_each_exactly_one(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Acceptance: 2,000 matching residents, some with two matching searches, and 300
    others whose searches do not match. Each matching resident is told exactly once,
    however often the fan-out runs."""
    residents = User.objects.bulk_create(
        User(email=f"resident{n}@example.org", password="!") for n in range(2000)
    )
    others = User.objects.bulk_create(
        User(email=f"other{n}@example.org", password="!") for n in range(300)
    )
    matching = [BEACH, {"q": "beach"}, {"cause": "environment"}, {}]
    searches = [
        SavedSearch(user=person, query=matching[n % 4], summary="")
        for n, person in enumerate(residents)
    ]
    searches += [
        SavedSearch(user=person, query={"q": "clean"}, summary="") for person in residents[:250]
    ]
    searches += [
        SavedSearch(user=person, query={"cause": "animals"}, summary="") for person in others
    ]
    SavedSearch.objects.bulk_create(searches)

    opportunity = publish(make_group(), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert saved_searches_fan_out.delay(opportunity.pk).get() == 6  # 2,550 in 500s

    told = Notification.objects.filter(kind="saved_search_match")
    assert told.count() == 2000
    per_person = told.values("user_id").annotate(n=Count("pk"))
    assert {row["user_id"] for row in per_person} == {person.pk for person in residents}
    assert {row["n"] for row in per_person} == {1}
