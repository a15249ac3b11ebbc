"""The rollup the dashboard reads: the same figures as counting the records live, for
every slice the council can ask for; changed only when it is counted again; and the
page says when that was."""

from datetime import date, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.test import Client
from django.utils import timezone

from coins.models import Scheme
from impact.models import Rollup
from impact.rollup import ROLLUP_MINUTES, rollup_refresh, rollups_refresh
from impact.selectors import Filters, months_counted, months_rolled_up
from impact.tasks import impact_rollup
from marketplace.board.models import Cause, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from places.models import Ward
from tests.impact.test_dashboard import page_tables
from tests.impact.town import at, town_with_known_numbers

pytestmark = pytest.mark.django_db

RANGE = {"first": "2026-09", "last": "2026-12"}


def filters_of(scheme: Scheme, **more: object) -> Filters:
    return Filters(scheme=scheme, first=date(2026, 8, 1), last=date(2026, 12, 1), **more)  # type: ignore[arg-type]


def test_the_rollup_holds_what_a_live_count_finds_for_every_ward_cause_and_group() -> None:
    town = town_with_known_numbers()
    slices: list[dict[str, object]] = [{}, {"group": town.group}]
    wards = list(Ward.objects.filter(scheme=town.scheme))
    slices += [{"ward": ward} for ward in wards]
    slices += [{"cause": cause} for cause in (Cause.ENVIRONMENT, Cause.FOOD, Cause.ARTS)]
    slices += [{"ward": ward, "cause": Cause.FOOD} for ward in wards]
    for where in slices:
        filters = filters_of(town.scheme, **where)
        assert months_rolled_up(filters) == months_counted(filters), where


def test_someone_who_gave_time_in_three_months_counts_as_a_regular_volunteer() -> None:
    town = town_with_known_numbers()
    # A and B came in September and October; a December shift makes them regulars.
    opportunity = town.group.opportunities.get(title="Litter pick")
    shift = Shift.objects.create(
        opportunity=opportunity, start=at(12, 1), end=at(12, 1, 12), capacity=4
    )
    for name in "AB":
        Signup.objects.create(
            shift=shift, user=town.people[name], status=Signup.State.CONFIRMED, attended=True
        )
    hours_confirm(shift=shift, minutes={}, by=town.group.organisers.get().user)
    rollup_refresh(town.scheme)
    filters = filters_of(town.scheme)
    for figures in (months_rolled_up(filters), months_counted(filters)):
        assert figures[1].regular == 2
    # Over September and October alone, nobody gave time in three months.
    two = Filters(scheme=town.scheme, first=date(2026, 9, 1), last=date(2026, 10, 1))
    assert months_rolled_up(two)[1].regular == 0


def test_the_page_shows_the_figures_as_last_counted_and_says_when(client: Client) -> None:
    town = town_with_known_numbers(k=2)
    counted = Rollup.objects.get(scheme=town.scheme).counted_at
    client.force_login(town.council)
    page = client.get("/council/impact/", RANGE).content.decode()
    when = timezone.localtime(counted)
    assert f"Figures as counted at {when:%H:%M} on {when.day} {when:%B %Y}" in page
    assert "counted again every 10 minutes" in page

    # New hours wait for the next count: the page stays as counted, then catches up.
    extra = Shift.objects.create(
        opportunity=town.group.opportunities.get(title="Food bank"),
        start=at(11, 20),
        end=at(11, 20) + timedelta(hours=2),
        capacity=3,
    )
    for name in "CDE":
        Signup.objects.create(
            shift=extra, user=town.people[name], status=Signup.State.CONFIRMED, attended=True
        )
    hours_confirm(shift=extra, minutes={}, by=town.group.organisers.get().user)

    def november_volunteers() -> str:
        page = client.get("/council/impact/", RANGE).content.decode()
        return page_tables(page)["volunteering"]["Nov 2026"][1]

    assert november_volunteers() == "4"  # C, E, F, G
    assert rollups_refresh() == 1
    assert november_volunteers() == "5"  # and D


def test_before_the_first_count_the_page_says_the_figures_are_on_their_way(
    client: Client,
) -> None:
    town = town_with_known_numbers(k=2)
    Rollup.objects.all().delete()
    client.force_login(town.council)
    response = client.get("/council/impact/", RANGE)
    assert response.status_code == 200
    assert "The figures have not been counted yet" in response.content.decode()
    sheet = client.get("/council/impact/volunteering.csv", RANGE)
    assert sheet.status_code == 503 and b"not been counted yet" in sheet.content
    assert client.get("/council/impact/wards.csv", RANGE).status_code == 503
    api = client.get("/api/v1/impact/months", RANGE)
    assert api.status_code == 503 and "not been counted yet" in api.json()["detail"]


def test_two_counts_of_one_scheme_at_once_do_not_double_it() -> None:
    town = town_with_known_numbers()
    filters = filters_of(town.scheme)
    before = months_rolled_up(filters)
    rollup_refresh(town.scheme)
    rollup_refresh(town.scheme)
    assert months_rolled_up(filters) == before


def test_celery_beat_counts_every_scheme_as_often_as_the_page_says() -> None:
    town = town_with_known_numbers()
    Rollup.objects.all().delete()
    entry = settings.CELERY_BEAT_SCHEDULE["impact-rollup"]
    assert entry["schedule"] == crontab(minute=f"*/{ROLLUP_MINUTES}")
    assert entry["task"] == impact_rollup.name
    assert impact_rollup.delay().get() == 1
    assert Rollup.objects.filter(scheme=town.scheme).exists()
