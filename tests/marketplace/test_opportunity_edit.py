from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.models import GroupOrganiser, Opportunity, Status
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db


def form_data(**changes: str | list[str]) -> dict[str, str | list[str]]:
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    data: dict[str, str | list[str]] = {
        "title": "Beach clean",
        "description": "Bags provided.",
        "causes": ["environment"],
        "skills": ["none"],
        "postcode": "bk2 1aa",
        "minimum_age": "14",
        "language": "English",
        "publish": "on",
        "shift-day": day,
        "shift-start_time": "10:00",
        "shift-end_time": "13:00",
        "shift-capacity": "8",
        "shift-weeks": "4",
    }
    data.update(changes)
    return data


def test_an_organiser_posts_an_opportunity_with_weekly_shifts(client: Client) -> None:
    group = make_group()
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    response = client.post(f"/organise/groups/{group.pk}/opportunities/new/", form_data())
    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    assert opportunity.status == Opportunity.State.PUBLISHED
    assert opportunity.postcode == "BK2 1AA" and opportunity.latitude is not None
    starts = [timezone.localtime(s.start) for s in opportunity.shifts.all()]
    assert len(starts) == 4
    assert all(s.hour == 10 and s.weekday() == starts[0].weekday() for s in starts)
    assert all(s.capacity == 8 for s in opportunity.shifts.all())


def test_a_bad_form_explains_itself_and_saves_nothing(client: Client) -> None:
    group = make_group()
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    page = client.post(
        f"/organise/groups/{group.pk}/opportunities/new/",
        form_data(**{"shift-end_time": "09:00", "minimum_age": "5"}, causes=[]),
    ).content.decode()
    assert "There is a problem" in page
    assert "The shift must end after it starts." in page
    assert "Enter a minimum age from 13 to 25." in page
    assert not Opportunity.objects.exists()


def test_an_unverified_group_can_save_drafts_but_not_publish(client: Client) -> None:
    group = make_group("New Group", status=Status.PENDING)
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    page = client.post(
        f"/organise/groups/{group.pk}/opportunities/new/", form_data()
    ).content.decode()
    assert "You can publish once the council has verified your group." in page
    assert not Opportunity.objects.exists()
    client.post(f"/organise/groups/{group.pk}/opportunities/new/", form_data(publish=""))
    assert Opportunity.objects.get().status == Opportunity.State.DRAFT


def test_an_organiser_cannot_edit_or_post_for_another_group(client: Client) -> None:
    theirs = make_shift(title="Theirs").opportunity
    mine = make_group("Mine")
    client.force_login(GroupOrganiser.objects.get(group=mine).user)
    assert client.get(f"/organise/opportunities/{theirs.pk}/edit/").status_code == 403
    edited = client.post(f"/organise/opportunities/{theirs.pk}/edit/", form_data(title="Mine!"))
    assert edited.status_code == 403
    posted = client.post(f"/organise/groups/{theirs.group_id}/opportunities/new/", form_data())
    assert posted.status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
    assert Opportunity.objects.count() == 1


def test_editing_keeps_the_shifts(client: Client) -> None:
    opportunity = make_shift(title="Old title").opportunity
    client.force_login(GroupOrganiser.objects.get(group=opportunity.group).user)
    client.post(f"/organise/opportunities/{opportunity.pk}/edit/", form_data(title="New title"))
    opportunity.refresh_from_db()
    assert opportunity.title == "New title"
    assert opportunity.shifts.count() == 1
