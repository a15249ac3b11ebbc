"""The organiser's home page: how full each shift to come is, and the hours claims that
wait for a decision, with a link to each shift, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.board.models import Hours, Shift, Signup
from tests.conftest import make_user
from tests.marketplace.factories import make_shift
from tests.marketplace.test_hours import organiser_of, past_shift_with

pytestmark = pytest.mark.django_db


def fill(shift: Shift, places: int, waiting: int) -> None:
    for n in range(places + waiting):
        status = Signup.State.CONFIRMED if n < places else Signup.State.WAITLISTED
        user = make_user(f"s{shift.pk}-{n}@example.org")
        Signup.objects.create(shift=shift, user=user, status=status)


def test_the_dashboard_says_how_full_each_shift_to_come_is(client: Client) -> None:
    shift = make_shift(capacity=8, title="Riverside planting")
    fill(shift, places=6, waiting=0)
    full = make_shift(capacity=2, title="Food bank")
    fill(full, places=2, waiting=2)
    client.force_login(organiser_of(shift))
    page = client.get("/organise/").content.decode()
    assert "6 of 8 places</span>" in page
    assert "2 of 2 places, 2 waiting" in page


def test_the_dashboard_points_to_the_claims_waiting_for_a_decision(client: Client) -> None:
    volunteers = [make_user(f"v{n}@example.org") for n in range(3)]
    shift = past_shift_with(volunteers, title="Litter pick")
    for signup in shift.signups.all()[:2]:
        Hours.objects.create(signup=signup, minutes=90, status=Hours.State.CLAIMED)
    client.force_login(organiser_of(shift))
    page = client.get("/organise/").content.decode()
    assert "2 claims for hours wait for your decision" in page
    day = timezone.localtime(shift.start)
    assert (
        f'<a href="/organise/shifts/{shift.pk}/">Litter pick, {day:%a %-d %b}: 2 to decide</a>'
        in page
    )
    # The past shift shows no "places" line: only shifts to come do.
    assert "of 10 places" not in page


def test_the_dashboard_counts_in_the_same_number_of_queries_however_many_shifts(
    client: Client,
) -> None:
    first = make_shift(title="Riverside planting")
    fill(first, places=2, waiting=0)
    client.force_login(organiser_of(first))
    with CaptureQueriesContext(connection) as one:
        client.get("/organise/")
    for days in range(4, 10):
        extra = make_shift(group=first.opportunity.group, days_ahead=days, title="Park tidy")
        fill(extra, places=1, waiting=1)
        Shift.objects.create(  # a second shift of the same opportunity, the day after
            opportunity=extra.opportunity,
            start=extra.start + timedelta(days=1),
            end=extra.end + timedelta(days=1),
            capacity=4,
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/organise/")
    assert len(many) == len(one)
