"""The council's cohesion measures from a town with known answers and attendance, against
figures worked out by hand, with k = 3 so that some cells are hidden.

Three months, m0 to m2, five to three months ago (so every first-timer's 60 days are
over). Wards: Central (BK3 2AA), Millbrook (BK1 1AA), Wharfside (BK1 1AB).

| person | home | age band | ethnic group (About me) |
|---|---|---|---|
| A | Millbrook | 35 to 49 | White |
| B | Wharfside | 25 to 34 | White |
| C | Central | 35 to 49 | White |
| D | none | 13 to 17 (said so, no date) | none |
| E | Millbrook | 65 and over | prefer not to say |
| F | Wharfside | unknown | Black |

| shift | where | who (minutes each) |
|---|---|---|
| S1 m0 day 10 | Central | A, B, C (180) |
| S2 m0 day 20 | Millbrook | A, E (60) |
| S3 m1 day 10 | Central | C, D, F (120) |
| S4 m2 day 5 | Millbrook | A, B (90) |
| S5 m2 day 6 | Millbrook | F (60) |

By hand (shares to the nearest whole per cent; "-" is hidden, fewer than 3 people):

| measure | m0 | m1 | m2 | all |
|---|---|---|---|---|
| 2+ wards met | S1 of S1,S2: 50 (A,B,C,E) | S3: - (C,F) | S4: - (A,B) | 3 of 4: 75 |
| 2+ age bands met | S1,S2: 100 | - (C,D) | - (A,B) | 4 of 4: 100 |
| 2+ ethnic groups met | S1 not: 0 (A,B,C) | S3: - (C,F) | S4 not: - | 1 of 3: 33 |
| hours outside own ward | 360 of 660: 55 | - (C,F) | 150 of 240: 63 (A,B,F) | 630 of 1140: 55 |
| came back within 60 days | A,B,C of A,B,C,E: 75 | F of D,F: - | none: - | 4 of 6: 67 |
"""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Background, User
from cohesion.models import Item, PulseAnswer
from coins.models import Scheme
from impact.campaigns import campaigns_table
from impact.cohesion import cohesion_tables
from impact.rollup import rollup_refresh
from impact.selectors import Filters, next_month
from impact.tables import Table
from marketplace.board.models import (
    Campaign,
    CommunityGroup,
    GroupOrganiser,
    Opportunity,
    Shift,
    Signup,
)
from marketplace.board.services.hours import hours_confirm
from marketplace.organisations import Status
from places.models import Ward
from places.selectors import postcode_found, ward_of
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

W = Background.EthnicGroup


def _months() -> list[date]:
    this = timezone.localdate().replace(day=1)
    months = [this]
    for _ in range(5):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    return months[:3]  # five, four and three months ago


def _at(month: date, day: int) -> datetime:
    return timezone.make_aware(datetime(month.year, month.month, day, 10))


def _person(name: str, postcode: str, age: int | None, ethnic: str | None) -> User:
    today = timezone.localdate()
    person = make_user(
        f"{name.lower()}@example.org",
        display_name=name,
        postcode=postcode,
        birth_date=date(today.year - age, 1, 1) if age else None,
        declared_under_18=age is None and name == "D",
    )
    if ethnic:
        Background.objects.create(user=person, ethnic_group=ethnic, religion="unsaid")
    return person


def _opportunity(group: CommunityGroup, title: str, postcode: str) -> Opportunity:
    opportunity = Opportunity(
        group=group,
        scheme=group.scheme,
        title=title,
        description=title,
        postcode=postcode,
        status=Opportunity.State.PUBLISHED,
    )
    opportunity.place_at(postcode_found(postcode))
    opportunity.save()
    return opportunity


@pytest.fixture
def town() -> tuple[Scheme, dict[str, User], User]:
    return cohesion_town()


def cohesion_town() -> tuple[Scheme, dict[str, User], User]:
    """The town of the table above: the scheme, its people by letter, its officer."""
    scheme = Scheme.objects.create(name="Testford", slug="testford", privacy_k=3)
    Ward.objects.update(scheme=scheme)
    council = make_user("council@example.org")
    scheme.admin_memberships.create(user=council)
    group = CommunityGroup.objects.create(
        scheme=scheme, name="Park Friends", slug="park-friends", status=Status.VERIFIED
    )
    organiser = make_user("organiser@example.org")
    GroupOrganiser.objects.create(group=group, user=organiser)
    people = {
        "A": _person("A", "BK1 1AA", 40, W.WHITE),
        "B": _person("B", "BK1 1AB", 28, W.WHITE),
        "C": _person("C", "BK3 2AA", 42, W.WHITE),
        "D": _person("D", "", None, None),
        "E": _person("E", "BK1 1AA", 70, W.UNSAID),
        "F": _person("F", "BK1 1AB", None, W.BLACK),
    }
    central = _opportunity(group, "Litter pick", "BK3 2AA")
    millbrook = _opportunity(group, "Food bank", "BK1 1AA")
    m0, m1, m2 = _months()
    for opportunity, start, who, minutes in (
        (central, _at(m0, 10), "ABC", 180),
        (millbrook, _at(m0, 20), "AE", 60),
        (central, _at(m1, 10), "CDF", 120),
        (millbrook, _at(m2, 5), "AB", 90),
        (millbrook, _at(m2, 6), "F", 60),
    ):
        shift = Shift.objects.create(
            opportunity=opportunity,
            start=start,
            end=start + timedelta(minutes=minutes),
            capacity=5,
        )
        for name in who:
            Signup.objects.create(
                shift=shift, user=people[name], status=Signup.State.CONFIRMED, attended=True
            )
        hours_confirm(shift=shift, minutes={}, by=organiser)
    rollup_refresh(scheme)
    return scheme, people, council


def _filters(scheme: Scheme, **more: object) -> Filters:
    months = _months()
    return Filters(scheme=scheme, first=months[0], last=months[-1], **more)  # type: ignore[arg-type]


def _column(table: Table, key: str) -> list[int | None]:
    return [*table.cells[key], table.totals[key]]


def test_the_wards_are_as_the_table_above_says(town: tuple[Scheme, dict[str, User], User]) -> None:
    names = {name: ward_of(p.postcode) for name, p in town[1].items()}
    assert {n: w.name if w else None for n, w in names.items()} == {
        "A": "Millbrook",
        "B": "Wharfside",
        "C": "Central",
        "D": None,
        "E": "Millbrook",
        "F": "Wharfside",
    }


def test_who_met_whom_equals_the_figures_worked_out_by_hand(
    town: tuple[Scheme, dict[str, User], User],
) -> None:
    mixing, _ = cohesion_tables(_filters(town[0]))
    assert _column(mixing, "mixed_wards") == [50, None, None, 75]
    assert _column(mixing, "mixed_ages") == [100, None, None, 100]
    assert _column(mixing, "mixed_backgrounds") == [0, None, None, 33]
    assert _column(mixing, "outside_ward") == [55, None, 63, 55]
    assert _column(mixing, "came_back") == [75, None, None, 67]


def test_with_a_lower_k_the_hidden_cells_show_their_hand_counted_shares(
    town: tuple[Scheme, dict[str, User], User],
) -> None:
    Scheme.objects.filter(pk=town[0].pk).update(privacy_k=2)
    mixing, _ = cohesion_tables(_filters(Scheme.objects.get(pk=town[0].pk)))
    # A share of nothing (no first-timers in m2) still reads as hidden.
    # m1: S3 mixed wards (C Central, F Wharfside), ages (C, D), ethnic groups (C, F);
    # m2: S4 mixed wards and ages (A, B), not ethnic groups (both White).
    assert _column(mixing, "mixed_wards") == [50, 100, 100, 75]
    assert _column(mixing, "mixed_backgrounds") == [0, 100, 0, 33]
    # m1: 120 of C's and F's 240 minutes were outside their ward; D's ward is unknown.
    assert _column(mixing, "outside_ward") == [55, 50, 63, 55]
    assert _column(mixing, "came_back") == [75, 50, None, 67]


def test_a_ward_counts_the_volunteering_that_happened_there(
    town: tuple[Scheme, dict[str, User], User],
) -> None:
    millbrook = Ward.objects.get(name="Millbrook")
    mixing, _ = cohesion_tables(_filters(town[0], ward=millbrook))
    # S2 (A, E both Millbrook) and S4 (A Millbrook, B Wharfside); S5 alone. Three people
    # over the range, but no month with three: the range is hidden with its months.
    assert _column(mixing, "mixed_wards") == [None, None, None, None]
    # 60+60 in m0 inside; m2: B's 90 and F's 60 outside of 240; all: 150 of 360.
    assert _column(mixing, "outside_ward") == [None, None, 63, 42]


def test_withdrawing_about_me_takes_the_answers_out_of_the_dashboard(
    client, town: tuple[Scheme, dict[str, User], User]
) -> None:
    client.force_login(town[1]["F"])
    client.post("/accounts/about-me/", {"action": "withdraw"})
    assert not Background.objects.filter(user=town[1]["F"]).exists()
    rollup_refresh(town[0])  # as beat does, within minutes
    mixing, _ = cohesion_tables(_filters(town[0]))
    # Without F's answer S3 has one known group: S1 and S4, neither mixed, behind A, B, C.
    assert _column(mixing, "mixed_backgrounds") == [0, None, None, 0]


def _answers(scheme: Scheme, month: date, ward: Ward | None, *rows: tuple) -> None:
    PulseAnswer.objects.bulk_create(
        PulseAnswer(
            scheme=scheme,
            month=month,
            ward=ward,
            met_new=met_new,
            met_different=met_different,
            item=item,
            score=score,
        )
        for met_new, met_different, item, score in rows
    )


def two_months_of_pulse(scheme: Scheme) -> None:
    """Four answers in m0 from Millbrook, two in m1 from Central, one after the range."""
    m0, m1, m2 = _months()
    millbrook, central = Ward.objects.get(name="Millbrook"), Ward.objects.get(name="Central")
    _answers(
        scheme,
        m0,
        millbrook,
        (True, True, Item.GET_ON, 1),
        (True, False, Item.GET_ON, 2),
        (False, False, Item.GET_ON, 3),
        (None, False, Item.BELONG, 2),
    )
    _answers(scheme, m1, central, (True, None, Item.TRUST, 4), (True, True, Item.BELONG, 1))
    _answers(scheme, next_month(m2), central, (True, True, Item.GET_ON, 1))  # out of range


def months_shown() -> tuple[str, str]:
    """The town's months, as the dashboard's From and To take them."""
    months = _months()
    return f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}"


def test_the_pulse_equals_the_answers_counted_by_hand(
    town: tuple[Scheme, dict[str, User], User],
) -> None:
    scheme = town[0]
    millbrook = Ward.objects.get(name="Millbrook")
    two_months_of_pulse(scheme)
    _, pulse = cohesion_tables(_filters(scheme))
    # met_new: m0 2 of 3; m1 2 of 2 (hidden); all 4 of 5.
    assert _column(pulse, "met_new") == [67, None, None, 80]
    # met_different: m0 1 of 4; m1 1 of 1 (hidden); all 2 of 5.
    assert _column(pulse, "met_different") == [25, None, None, 40]
    # get_on: m0 2 of 3 agree; belong: m0 1 of 1, m1 1 of 1 (hidden), all 2 of 2 (hidden).
    assert _column(pulse, "get_on") == [67, None, None, 67]
    assert _column(pulse, "belong") == [None, None, None, None]
    assert _column(pulse, "trust") == [None, None, None, None]
    assert _column(pulse, "answers") == [4, None, 0, 6]
    _, in_millbrook = cohesion_tables(_filters(scheme, ward=millbrook))
    assert _column(in_millbrook, "answers") == [4, 0, 0, 4]
    _, by_cause = cohesion_tables(_filters(scheme, cause="food"))
    assert by_cause.not_by_place == frozenset(c.key for c in by_cause.columns)


def test_the_dashboard_shows_the_measures_their_definitions_and_the_national_figures(
    client, town: tuple[Scheme, dict[str, User], User]
) -> None:
    client.force_login(town[2])
    months = _months()
    page = client.get(
        "/council/impact/", {"first": f"{months[0]:%Y-%m}", "last": f"{months[-1]:%Y-%m}"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Bringing people together" in text
    assert "Shifts where people from 2 or more wards met" in text
    assert "Nationally: 81%" in text and "Nationally: 62%" in text
    assert "Of the shifts with at least two volunteers whose home ward we know" in text
    csv = client.get(
        "/council/impact/mixing.csv",
        {"first": f"{months[0]:%Y-%m}", "last": f"{months[-1]:%Y-%m}"},
    ).content.decode()
    assert csv.splitlines()[-1] == "total,75,100,33,55,67"
    assert "fewer than 3" in csv.splitlines()[2]
    api = client.get(
        "/api/v1/impact/months", {"first": f"{months[0]:%Y-%m}", "last": f"{months[-1]:%Y-%m}"}
    ).json()
    mixing = next(t for t in api["tables"] if t["key"] == "mixing")
    assert list(mixing["totals"].values()) == [75, 100, 33, 55, 67]
    assert mixing["months"][1]["cells"]["mixed_wards"] is None  # hidden, as on the page


def test_each_campaign_counts_its_shifts_people_hours_and_first_timers(
    client, town: tuple[Scheme, dict[str, User], User]
) -> None:
    scheme = town[0]
    m0, m1, _ = _months()
    campaign = Campaign.objects.create(
        scheme=scheme,
        name="Great Get Together",
        slug="ggt",
        starts_on=m1,
        ends_on=m1.replace(day=28),
        text="Come together.",
    )
    Opportunity.objects.filter(title="Litter pick").update(campaign=campaign)
    (row,) = campaigns_table(_filters(scheme))
    # S3 only (S1 was before it began): C, D and F, 2 hours each; D and F were new.
    assert (row.opportunities, row.shifts, row.volunteers, row.minutes) == (1, 1, 3, 360)
    assert row.first_timers is None  # 2, under k = 3
    client.force_login(town[2])
    page = client.get("/council/impact/", {"first": f"{m0:%Y-%m}", "last": f"{m1:%Y-%m}"})
    assert "Great Get Together" in page.content.decode()
