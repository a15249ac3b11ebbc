import random
from datetime import timedelta

import pgtrigger
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.board.models import Cause, Opportunity, Shift, Signup
from marketplace.board.selectors import BoardQuery, opportunity_search
from marketplace.board.tasks import opportunities_roll_on
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db

CENTRE = (53.80771, -1.56653)  # BK3 2AA, the demo town's centre
WORDS = ["litter", "reading", "cooking", "driving", "painting", "sorting", "befriending"]


def generate(count: int) -> None:
    """Opportunities scattered around the demo town, a tenth of them about gardening."""
    assert CENTRE is not None
    group = make_group()
    rng = random.Random(42)
    now = timezone.now()
    opportunities = []
    for n in range(count):
        gardening = n % 10 == 0
        word = "Gardening" if gardening else rng.choice(WORDS).capitalize()
        opportunities.append(
            Opportunity(
                scheme=group.scheme,
                group=group,
                status=Opportunity.State.PUBLISHED,
                title=f"{word} session {n}",
                description=f"{word} with neighbours.",
                causes=[Cause.ENVIRONMENT if gardening else Cause.COMMUNITY],
                latitude=CENTRE[0] + rng.uniform(-0.3, 0.3),
                longitude=CENTRE[1] + rng.uniform(-0.5, 0.5),
                step_free=n % 3 == 0,
                dbs_required=n % 4 == 0,
                minimum_age=18 if n % 5 else 14,
            )
        )
    created = Opportunity.objects.bulk_create(opportunities, batch_size=2000)
    Shift.objects.bulk_create(
        [
            Shift(
                opportunity=o,
                start=now + timedelta(days=1 + i % 28, hours=1),
                end=now + timedelta(days=1 + i % 28, hours=4),
                capacity=5,
            )
            for i, o in enumerate(created)
        ],
        batch_size=2000,
    )


def test_ten_thousand_opportunities_search_filter_and_sort_correctly() -> None:
    generate(10_000)
    everything = opportunity_search(BoardQuery()).count()
    assert everything == 10_000

    misspelt = list(opportunity_search(BoardQuery(text="gardning"))[:50])
    assert misspelt and all("Gardening" in o.title for o in misspelt)
    assert opportunity_search(BoardQuery(text="gardening")).count() == 1_000

    near = list(opportunity_search(BoardQuery(point=CENTRE, miles=5, sort="nearest"))[:200])
    distances = [o.distance for o in near]
    assert distances == sorted(distances) and distances[-1] <= 5
    assert 0 < len(near) < everything

    for narrower in (
        BoardQuery(cause=Cause.ENVIRONMENT),
        BoardQuery(step_free=True),
        BoardQuery(no_dbs=True),
        BoardQuery(under_18=True),
        BoardQuery(date_to=(timezone.now() + timedelta(days=7)).date()),
    ):
        found = opportunity_search(narrower)
        assert 0 < found.count() < everything, narrower
    assert all(o.step_free for o in opportunity_search(BoardQuery(step_free=True))[:100])
    assert not any(o.dbs_required for o in opportunity_search(BoardQuery(no_dbs=True))[:100])


def test_full_shifts_drop_out_when_asking_for_free_places() -> None:
    shift = make_shift(capacity=1)
    Signup.objects.create(shift=shift, user=make_user("a@example.org"), status="confirmed")
    assert opportunity_search(BoardQuery()).count() == 1
    assert opportunity_search(BoardQuery(has_places=True)).count() == 0


def test_the_search_page_works_without_javascript_and_explains_bad_input(
    client: Client,
) -> None:
    make_shift(title="Community gardening", latitude=CENTRE[0], longitude=CENTRE[1])
    page = client.get("/opportunities/", {"q": "gardning", "postcode": "bk3 2aa"})
    assert page.status_code == 200
    assert "Community gardening" in page.content.decode()

    wrong = client.get("/opportunities/", {"postcode": "ZZ9 9ZZ"}).content.decode()
    assert "There is a problem" in wrong
    assert "We do not know that postcode." in wrong

    backwards = client.get("/opportunities/", {"date_from": "2030-01-10", "date_to": "2030-01-01"})
    assert "must be on or after" in backwards.content.decode()
    nonsense = client.get("/opportunities/", {"date_from": "yesterday", "miles": "999"})
    assert nonsense.status_code == 200
    assert "There is a problem" in nonsense.content.decode()


def upcoming(opportunity: Opportunity) -> object:
    return Opportunity.objects.values_list("upcoming_start", flat=True).get(pk=opportunity.pk)


def test_the_database_keeps_each_opportunitys_next_shift_as_shifts_change() -> None:
    first = make_shift(days_ahead=2)
    opportunity = first.opportunity
    assert upcoming(opportunity) == first.start
    later = Shift.objects.create(
        opportunity=opportunity,
        start=first.start + timedelta(days=7),
        end=first.end + timedelta(days=7),
        capacity=5,
    )
    assert upcoming(opportunity) == first.start
    Shift.objects.filter(pk=first.pk).update(cancelled_at=timezone.now(), cancel_reason="Rain")
    assert upcoming(opportunity) == later.start
    Shift.objects.filter(pk=later.pk).delete()
    assert upcoming(opportunity) is None
    assert not opportunity_search(BoardQuery()).filter(pk=opportunity.pk).exists()

    stale = Opportunity.objects.get(pk=opportunity.pk)  # read before the next change
    soon = Shift.objects.create(
        opportunity=opportunity, start=first.start, end=first.end, capacity=5
    )
    stale.title = "Renamed"
    stale.save()  # must not write its stale copy of the next shift back
    assert upcoming(opportunity) == soon.start


def test_an_opportunity_whose_next_shift_began_rolls_on_to_the_following_one(
    client: Client,
) -> None:
    shift = make_shift(days_ahead=1, title="Weekly litter pick")
    following = Shift.objects.create(
        opportunity=shift.opportunity,
        start=shift.start + timedelta(days=7),
        end=shift.end + timedelta(days=7),
        capacity=5,
    )
    # Time passes and the first shift begins: no shift row changes, so no trigger fires.
    began = timezone.now() - timedelta(minutes=1)
    with pgtrigger.ignore("marketplace.Shift:shift_upcoming_update"):
        Shift.objects.filter(pk=shift.pk).update(start=began, end=began + timedelta(hours=3))
    Opportunity.objects.filter(pk=shift.opportunity_id).update(upcoming_start=began)
    assert not opportunity_search(BoardQuery()).exists()  # until rolled on

    with CaptureQueriesContext(connection) as queries:
        assert "Weekly litter pick" not in client.get("/opportunities/").content.decode()
    writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0] != "SELECT"]
    assert writes == []
    opportunities_roll_on.delay()  # beat's job, every minute: reading the board writes nothing
    assert "Weekly litter pick" in client.get("/opportunities/").content.decode()
    assert upcoming(shift.opportunity) == following.start
