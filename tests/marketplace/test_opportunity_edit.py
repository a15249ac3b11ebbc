from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.board.models import GroupOrganiser, Opportunity
from marketplace.organisations import Status
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
    assert theirs.shifts.count() == 1  # the shift plan in the refused edit added nothing


def edit_data(**changes: str | list[str]) -> dict[str, str | list[str]]:
    """The edit page as it comes: "Add more shifts" left blank, weeks showing 1."""
    blank_plan = {
        "shift-day": "",
        "shift-start_time": "",
        "shift-end_time": "",
        "shift-capacity": "",
    }
    return form_data(**{"shift-weeks": "1", **blank_plan, **changes})


def test_editing_with_the_shift_plan_left_blank_keeps_the_shifts(client: Client) -> None:
    opportunity = make_shift(title="Old title").opportunity
    client.force_login(GroupOrganiser.objects.get(group=opportunity.group).user)
    edit = f"/organise/opportunities/{opportunity.pk}/edit/"
    assert client.post(edit, edit_data(title="New title")).status_code == 302
    assert client.post(edit, edit_data(title="New title", **{"shift-weeks": ""})).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.title == "New title"
    assert opportunity.shifts.count() == 1


def test_an_organiser_adds_weekly_shifts_to_an_opportunity_that_had_none(client: Client) -> None:
    group = make_group()
    opportunity = Opportunity.objects.create(
        scheme=group.scheme, group=group, title="Repair café", description="Bring a kettle."
    )
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    dashboard = client.get("/organise/").content.decode()
    assert "No shifts coming up" in dashboard
    edit = f"/organise/opportunities/{opportunity.pk}/edit/"
    assert f'href="{edit}#add-shifts"' in dashboard

    first_day = (timezone.localdate() + timedelta(days=2)).isoformat()
    plan = {
        "shift-day": first_day,
        "shift-start_time": "18:00",
        "shift-end_time": "20:00",
        "shift-capacity": "5",
        "shift-weeks": "3",
    }
    assert client.post(edit, edit_data(title="Repair café", **plan)).status_code == 302
    shifts = list(opportunity.shifts.all())
    starts = [timezone.localtime(s.start) for s in shifts]
    assert [s.date() - starts[0].date() for s in starts] == [timedelta(weeks=n) for n in range(3)]
    assert {(s.hour, s.minute) for s in starts} == {(18, 0)}
    assert {s.capacity for s in shifts} == {5}

    assert "No shifts coming up" not in client.get("/organise/").content.decode()
    page = client.get(edit).content.decode()
    assert page.count("0 of 5 places taken") == 3
    assert all(f'href="/organise/shifts/{s.pk}/"' in page for s in shifts)


def test_a_half_filled_shift_plan_explains_itself_and_saves_nothing(client: Client) -> None:
    opportunity = make_shift(title="Old title").opportunity
    client.force_login(GroupOrganiser.objects.get(group=opportunity.group).user)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.post(
        f"/organise/opportunities/{opportunity.pk}/edit/",
        edit_data(title="New title", **{"shift-day": tomorrow, "shift-start_time": "10:00"}),
    ).content.decode()
    assert "There is a problem" in page
    assert "Enter the time the shift ends." in page
    assert "Enter how many places there are." in page
    assert 'href="#id_shift-end_time"' in page
    weeks_only = client.post(
        f"/organise/opportunities/{opportunity.pk}/edit/", edit_data(**{"shift-weeks": "3"})
    ).content.decode()
    assert "Enter the date of the first shift." in weeks_only
    opportunity.refresh_from_db()
    assert opportunity.title == "Old title"
    assert opportunity.shifts.count() == 1
