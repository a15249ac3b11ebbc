import json
from datetime import date, timedelta
from datetime import timezone as dt_timezone
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from coins.models import Scheme, SchemeAdmin
from marketplace.board.models import (
    CommunityGroup,
    DbsRecord,
    GroupOrganiser,
    Hours,
    Opportunity,
    Shift,
    ShiftMessage,
    Signup,
)
from marketplace.board.services.hours import hours_claim
from marketplace.organisations import Status
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db

TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()


def send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    call = getattr(client, method)
    return call(f"/api/v1{path}", json.dumps(body), content_type="application/json")


def organiser_of(group: CommunityGroup) -> User:
    return GroupOrganiser.objects.filter(group=group).first().user  # type: ignore[union-attr]


def past_shift_with(volunteers: list[User]) -> Shift:
    shift = make_shift(title="Litter pick")
    for volunteer in volunteers:
        Signup.objects.create(shift=shift, user=volunteer, status=Signup.State.CONFIRMED)
    start = timezone.now() - timedelta(hours=4)  # ended an hour ago: check-in still open
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    shift.refresh_from_db()
    return shift


def opportunity_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Riverside planting",
        "description": "Planting bulbs along the towpath.",
        "causes": ["environment"],
        "skills": ["gardening"],
        "postcode": "bk1 1aa",
        "step_free": True,
        "publish": True,
        "shifts": {
            "day": TOMORROW,
            "start_time": "10:00",
            "end_time": "12:30",
            "capacity": 6,
            "weeks": 3,
        },
    }
    body.update(changes)
    return body


def test_an_organiser_posts_an_opportunity_with_three_weekly_shifts_and_it_is_on_the_board(
    client: Client,
) -> None:
    group = make_group()
    client.force_login(organiser_of(group))
    created = send(client, "post", f"/organise/groups/{group.pk}/opportunities", opportunity_body())
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "published"
    starts = [timezone.localtime(Shift.objects.get(pk=s["id"]).start) for s in body["shifts"]]
    assert [s.date() - starts[0].date() for s in starts] == [timedelta(weeks=n) for n in range(3)]
    assert {(s.hour, s.minute) for s in starts} == {(10, 0)}
    assert [s["places_left"] for s in body["shifts"]] == [6, 6, 6]

    found = client.get("/api/v1/opportunities", {"q": "planting"}).json()
    assert [r["id"] for r in found["results"]] == [body["id"]]
    detail = client.get(f"/api/v1/opportunities/{body['id']}").json()
    assert detail["postcode"] == "BK1 1AA" and detail["latitude"] is not None
    dashboard = client.get("/api/v1/organise/opportunities").json()
    assert [(o["title"], len(o["shifts"])) for o in dashboard] == [("Riverside planting", 3)]


def test_a_bad_opportunity_gets_the_pages_messages_by_field_and_creates_nothing(
    client: Client,
) -> None:
    group = make_group()
    client.force_login(organiser_of(group))
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    bad = opportunity_body(
        title="",
        causes=[],
        minimum_age=40,
        shifts={"day": yesterday, "start_time": "12:00", "end_time": "11:00", "weeks": 3},
    )
    response = send(client, "post", f"/organise/groups/{group.pk}/opportunities", bad)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["title"] == ["Enter a title."]
    assert errors["causes"] == ["Choose at least one cause."]
    assert errors["minimum_age"] == ["Enter a minimum age from 13 to 25."]
    assert errors["shifts.end_time"] == ["The shift must end after it starts."]
    assert errors["shifts.day"] == ["The first shift must be today or later."]
    assert errors["shifts.capacity"] == ["Enter how many places there are."]
    assert not Opportunity.objects.exists() and not Shift.objects.exists()


def test_an_unverified_group_can_save_a_draft_but_not_publish(client: Client) -> None:
    group = make_group("New Group", status=Status.PENDING)
    client.force_login(organiser_of(group))
    path = f"/organise/groups/{group.pk}/opportunities"
    refused = send(client, "post", path, opportunity_body())
    assert refused.status_code == 409
    assert refused.json()["detail"] == "You can publish once the council has verified your group."
    assert send(client, "post", path, opportunity_body(publish=False)).status_code == 201
    assert Opportunity.objects.get().status == Opportunity.State.DRAFT


def test_an_organiser_edits_only_the_fields_sent(client: Client) -> None:
    shift = make_shift(minimum_age=16, causes=["environment"])
    client.force_login(organiser_of(shift.opportunity.group))
    path = f"/organise/opportunities/{shift.opportunity_id}"
    response = send(client, "patch", path, {"title": "Litter pick at the weir"})
    assert response.status_code == 200
    opportunity = Opportunity.objects.get()
    assert opportunity.title == "Litter pick at the weir"
    assert opportunity.minimum_age == 16
    assert opportunity.status == Opportunity.State.PUBLISHED
    bad = send(client, "patch", path, {"minimum_age": 9})
    assert bad.json()["errors"] == {"minimum_age": ["Enter a minimum age from 13 to 25."]}


def test_an_organiser_adds_weekly_shifts_to_an_existing_opportunity(client: Client) -> None:
    shift = make_shift(title="Litter pick", causes=["environment"])
    client.force_login(organiser_of(shift.opportunity.group))
    path = f"/organise/opportunities/{shift.opportunity_id}"
    plan = {"day": TOMORROW, "start_time": "18:00", "end_time": "19:30", "capacity": 4, "weeks": 3}
    response = send(client, "patch", path, {"shifts": plan})
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Litter pick"
    added = [s for s in body["shifts"] if s["id"] != shift.pk]
    assert len(body["shifts"]) == 4  # the shift already there stays
    starts = [timezone.localtime(Shift.objects.get(pk=s["id"]).start) for s in added]
    assert [s.date() - starts[0].date() for s in starts] == [timedelta(weeks=n) for n in range(3)]
    assert {(s.hour, s.minute) for s in starts} == {(18, 0)}
    assert [s["places_left"] for s in added] == [4, 4, 4]

    bad = send(client, "patch", path, {"title": "", "shifts": {"day": TOMORROW, "weeks": 3}})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "title": ["Enter a title."],
        "shifts.start_time": ["Enter the time the shift starts."],
        "shifts.end_time": ["Enter the time the shift ends."],
        "shifts.capacity": ["Enter how many places there are."],
    }
    assert Shift.objects.count() == 4
    assert Opportunity.objects.get().title == "Litter pick"


def test_an_organiser_cannot_touch_another_groups_opportunity_or_hours(client: Client) -> None:
    volunteer = make_user("v@example.org")
    shift = past_shift_with([volunteer])
    stranger = organiser_of(make_group("Other Group"))
    client.force_login(stranger)
    edit = send(client, "patch", f"/organise/opportunities/{shift.opportunity_id}", {"title": "x"})
    assert edit.status_code == 403
    plan = {"day": TOMORROW, "start_time": "10:00", "end_time": "11:00", "capacity": 2}
    path = f"/organise/opportunities/{shift.opportunity_id}"
    assert send(client, "patch", path, {"shifts": plan}).status_code == 403
    assert Shift.objects.count() == 1
    assert edit.json()["detail"] == "Only the group's organisers can do this."
    assert send(client, "post", f"/organise/shifts/{shift.pk}/hours", {}).status_code == 403
    assert client.get(f"/api/v1/organise/shifts/{shift.pk}").status_code == 403
    signup = shift.signups.get()
    attendance = {"signup": signup.pk, "attended": False}
    path = f"/organise/shifts/{shift.pk}/attendance"
    assert send(client, "post", path, attendance).status_code == 403
    new = f"/organise/groups/{shift.opportunity.group_id}/opportunities"
    assert send(client, "post", new, opportunity_body()).status_code == 403
    assert Opportunity.objects.get().title == "Litter pick"
    assert not Hours.objects.exists()
    signup.refresh_from_db()
    assert signup.attended is None
    assert send(client, "patch", "/organise/opportunities/999999", {}).status_code == 404


def test_an_organiser_confirms_a_whole_shift_in_one_call_and_the_volunteers_see_it(
    client: Client,
) -> None:
    volunteers = [make_user(f"v{n}@example.org", display_name=f"V{n}") for n in range(3)]
    shift = past_shift_with(volunteers)
    first, second, no_show = (shift.signups.get(user=v) for v in volunteers)
    client.force_login(organiser_of(shift.opportunity.group))
    path = f"/organise/shifts/{shift.pk}/attendance"
    marked = send(client, "post", path, {"signup": no_show.pk, "attended": False})
    assert marked.json()["attended"] is False

    response = send(
        client, "post", f"/organise/shifts/{shift.pk}/hours", {"minutes": {first.pk: 150}}
    )
    assert response.status_code == 200
    body = response.json()
    assert sorted((h["volunteer"], h["minutes"]) for h in body["confirmed"]) == [
        ("V0", 150),
        ("V1", 180),
    ]
    assert body["skipped"] == ["V2 was marked as not coming."]
    # 10 coins an hour by default; nothing held back.
    assert sorted(
        (h["volunteer"], h["coins"], h["capped"], h["note"]) for h in body["confirmed"]
    ) == [
        ("V0", 25, 0, ""),
        ("V1", 30, 0, ""),
    ]
    listing = client.get(f"/api/v1/organise/shifts/{shift.pk}").json()
    assert [
        (v["volunteer"], v["hours"] and v["hours"]["status"]) for v in listing["confirmed"]
    ] == [
        ("V0", "confirmed"),
        ("V1", "confirmed"),
        ("V2", None),
    ]

    client.force_login(volunteers[1])
    assert "3 h confirmed" in client.get("/my-shifts/").content.decode()
    assert Notification.objects.filter(user=volunteers[1], kind="hours_confirmed").exists()
    assert Hours.objects.get(signup=second).status == Hours.State.CONFIRMED


def test_the_hours_response_says_what_a_cap_held_back(client: Client) -> None:
    volunteer = make_user("v@example.org", display_name="Vi")
    shift = past_shift_with([volunteer])
    Scheme.objects.filter(pk=shift.opportunity.scheme_id).update(daily_cap=20)
    client.force_login(organiser_of(shift.opportunity.group))
    body = send(client, "post", f"/organise/shifts/{shift.pk}/hours", {}).json()
    [confirmed] = body["confirmed"]
    assert (confirmed["minutes"], confirmed["coins"], confirmed["capped"]) == (180, 20, 10)
    assert confirmed["note"] == "10 Citizen Coins held back by the daily limit of 20"


def test_hours_for_a_shift_not_yet_over_are_refused_with_the_reason(client: Client) -> None:
    shift = make_shift()
    Signup.objects.create(shift=shift, user=make_user(), status=Signup.State.CONFIRMED)
    client.force_login(organiser_of(shift.opportunity.group))
    response = send(client, "post", f"/organise/shifts/{shift.pk}/hours", {})
    assert response.status_code == 409
    assert response.json()["detail"] == "Hours can be confirmed once the shift has ended."
    assert not Hours.objects.exists()


def test_an_organiser_lists_a_shift_with_its_waiting_list_and_checks_people_in(
    client: Client,
) -> None:
    shift = make_shift(capacity=1)
    going = make_user("a@example.org", display_name="Ana")
    waiting = make_user("b@example.org", display_name="")
    Signup.objects.create(shift=shift, user=going, status=Signup.State.CONFIRMED)
    Signup.objects.create(shift=shift, user=waiting, status=Signup.State.WAITLISTED)
    client.force_login(organiser_of(shift.opportunity.group))
    listing = client.get(f"/api/v1/organise/shifts/{shift.pk}").json()
    assert [v["volunteer"] for v in listing["confirmed"]] == ["Ana"]
    assert [v["volunteer"] for v in listing["waiting"]] == ["A volunteer"]
    assert listing["ended"] is False and listing["default_minutes"] == 180

    signup_id = listing["confirmed"][0]["id"]
    path = f"/organise/shifts/{shift.pk}/attendance"
    early = send(client, "post", path, {"signup": signup_id, "attended": True})
    assert early.status_code == 409  # three days early: check-in is not open yet
    assert early.json()["detail"].startswith("Check-in opens at ")
    start = timezone.now() - timedelta(minutes=5)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    assert send(client, "post", path, {"signup": signup_id, "attended": True}).status_code == 200
    assert Signup.objects.get(pk=signup_id).attended is True
    elsewhere = make_shift(title="Another").signups.create(user=waiting, status="confirmed")
    assert send(client, "post", path, {"signup": elsewhere.pk, "attended": True}).status_code == 404


def test_an_organiser_approves_one_claim_and_rejects_another_only_with_a_reason(
    client: Client,
) -> None:
    volunteers = [make_user(f"v{n}@example.org", display_name=f"V{n}") for n in range(2)]
    shift = past_shift_with(volunteers)
    claims = [hours_claim(signup=shift.signups.get(user=v), minutes=90, by=v) for v in volunteers]
    client.force_login(organiser_of(shift.opportunity.group))
    approved = send(
        client, "post", f"/organise/hours/{claims[0].pk}/decision", {"decision": "approve"}
    )
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["minutes"]) == ("confirmed", 90)

    path = f"/organise/hours/{claims[1].pk}/decision"
    no_reason = send(client, "post", path, {"decision": "reject", "reason": "  "})
    assert no_reason.status_code == 409
    assert no_reason.json()["detail"] == "Give a reason, so that the volunteer knows why."
    rejected = send(client, "post", path, {"decision": "reject", "reason": "You left at 11."})
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "You left at 11.")
    again = send(client, "post", path, {"decision": "approve"})
    assert again.status_code == 409
    assert again.json()["detail"] == "V1's claim was not confirmed, so it is left as it is."
    too_long = send(client, "post", path, {"decision": "reject", "reason": "x" * 301})
    assert too_long.status_code == 422
    statuses = dict(Hours.objects.values_list("signup__user__display_name", "status"))
    assert statuses == {"V0": "confirmed", "V1": "rejected"}


@pytest.mark.django_db(transaction=True)
def test_an_organiser_messages_a_shift_through_the_api(client: Client) -> None:
    shift = make_shift()
    Signup.objects.create(shift=shift, user=make_user("a@example.org"), status="confirmed")
    client.force_login(organiser_of(shift.opportunity.group))
    path = f"/organise/shifts/{shift.pk}/messages"
    empty = send(client, "post", path, {"subject": "", "body": ""})
    assert empty.status_code == 422
    assert empty.json()["errors"] == {
        "subject": ["Enter a subject."],
        "body": ["Enter your message."],
    }
    sent = send(client, "post", path, {"subject": "Bring boots", "body": "It is muddy."})
    assert sent.status_code == 201
    assert sent.json()["subject"] == "Bring boots"
    assert ShiftMessage.objects.get().body == "It is muddy."
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert Notification.objects.filter(kind="shift_message").count() == 1


def test_an_organiser_records_a_dbs_check_and_bad_entries_are_explained(
    client: Client, resident: User
) -> None:
    group = make_group()
    client.force_login(organiser_of(group))
    path = f"/organise/groups/{group.pk}/dbs"
    today = timezone.localdate().isoformat()
    record = {"email": "Resident@Example.org", "outcome": "clear", "checked_on": today}
    created = send(client, "post", path, record)
    assert created.status_code == 201
    assert created.json() == {
        "id": DbsRecord.objects.get().pk,
        "email": "resident@example.org",
        "outcome": "clear",
        "checked_on": today,
    }
    bad = send(client, "post", path, {"email": "nope", "outcome": "maybe", "checked_on": today})
    assert set(bad.json()["errors"]) == {"email", "outcome"}
    unknown = send(client, "post", path, {**record, "email": "nobody@example.org"})
    assert unknown.status_code == 409
    assert unknown.json()["detail"].startswith("Nobody has joined Citizen Coin with that email")
    assert send(client, "post", path, {**record, "checked_on": TOMORROW}).status_code == 409
    assert DbsRecord.objects.count() == 1


@pytest.fixture
def council() -> User:
    scheme = Scheme.objects.create(name="Testford", slug="testford")
    admin = make_user("council@example.org")
    SchemeAdmin.objects.create(scheme=scheme, user=admin)
    return admin


def test_a_group_registered_through_the_api_is_verified_by_the_council(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    group_body = {"name": "Allotment Angels", "description": "We grow food.", "contact_email": ""}
    bad = send(client, "post", "/organise/groups", {**group_body, "name": ""})
    assert bad.json()["errors"] == {
        "name": ["Enter your group's name."],
        "contact_email": ["Enter an email address volunteers can write to."],
    }
    created = send(client, "post", "/organise/groups", {**group_body, "contact_email": "a@b.org"})
    assert created.status_code == 201
    assert (created.json()["status"], created.json()["scheme"]) == ("pending", "Testford")
    group_id = created.json()["id"]

    client.force_login(council)
    assert [g["id"] for g in client.get("/api/v1/council/groups").json()] == [group_id]
    decided = send(client, "post", f"/council/groups/{group_id}/decision", {"decision": "verify"})
    assert decided.json()["status"] == "verified"
    assert client.get("/api/v1/council/groups").json() == []
    assert Notification.objects.filter(user=resident, kind="group_verified").exists()


def test_a_group_registered_through_the_api_gets_the_ward_of_its_postcode(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    group_body = {
        "name": "Allotment Angels",
        "description": "We grow food.",
        "contact_email": "a@b.org",
    }
    unknown = send(client, "post", "/organise/groups", {**group_body, "postcode": "ZZ9 9ZZ"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {
        "postcode": ["We do not know that postcode. Try one nearby, or leave it blank."]
    }
    assert not CommunityGroup.objects.exists()

    created = send(client, "post", "/organise/groups", {**group_body, "postcode": "bk1 1aa"})
    assert created.status_code == 201
    assert (created.json()["postcode"], created.json()["ward"]) == ("BK1 1AA", "Millbrook")
    assert CommunityGroup.objects.get().ward.code == "E05099903"  # type: ignore[union-attr]
    client.force_login(council)
    assert [g["ward"] for g in client.get("/api/v1/council/groups").json()] == ["Millbrook"]


def test_the_council_rejects_only_with_a_reason_which_the_organiser_sees(
    client: Client, council: User
) -> None:
    group = make_group("Allotment Angels", status=Status.PENDING)
    client.force_login(council)
    path = f"/council/groups/{group.pk}/decision"
    no_reason = send(client, "post", path, {"decision": "reject"})
    assert no_reason.status_code == 409
    assert no_reason.json()["detail"] == "Give a reason, so that the group knows what to change."
    group.refresh_from_db()
    assert group.status == Status.PENDING
    assert send(client, "post", path, {"decision": "maybe"}).status_code == 422
    reason = "Please add a contact we can reach."
    assert send(client, "post", path, {"decision": "reject", "reason": reason}).status_code == 200

    client.force_login(organiser_of(group))
    mine = client.get("/api/v1/organise/groups").json()
    assert [(g["status"], g["reason"]) for g in mine] == [("rejected", reason)]


def test_only_the_schemes_admins_see_the_queue_or_decide(client: Client, council: User) -> None:
    group = make_group("Allotment Angels", status=Status.PENDING)
    client.force_login(organiser_of(group))
    assert client.get("/api/v1/council/groups").status_code == 403
    path = f"/council/groups/{group.pk}/decision"
    refused = send(client, "post", path, {"decision": "verify"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the scheme's admins can verify its groups."
    group.refresh_from_db()
    assert group.status == Status.PENDING


def test_organiser_endpoints_need_a_login(client: Client) -> None:
    assert client.get("/api/v1/organise/groups").status_code == 401
    assert (
        send(client, "post", "/council/groups/1/decision", {"decision": "verify"}).status_code
        == 401
    )


def test_the_openapi_document_still_builds_with_the_organiser_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/organise/shifts/{pk}/hours" in paths
    assert "/api/v1/council/groups/{pk}/decision" in paths


# Shift times sent with a UTC offset name an instant: the shift is at that instant, told in
# the scheme's local time (Europe/London: GMT in winter, BST in summer).
WINTER = date(timezone.localdate().year + 1, 1, 15)
SUMMER = date(timezone.localdate().year + 1, 7, 15)


TIME_MESSAGE = (
    "Enter a time of day such as 10:00, or 10:00+01:00 with its UTC offset; the date goes in “day”."
)


def local_times(shift: Shift) -> tuple[str, str]:
    shift.refresh_from_db()
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    return start.isoformat(timespec="minutes"), end.isoformat(timespec="minutes")


@pytest.mark.parametrize(
    ("day", "start", "end", "expected"),
    [
        (WINTER, "10:00:00+01:00", "12:30+01:00", ("09:00+00:00", "11:30+00:00")),
        (SUMMER, "10:00Z", "12:30:00+00:00", ("11:00+01:00", "13:30+01:00")),
        (SUMMER, "10:00", "12:30", ("10:00+01:00", "12:30+01:00")),
        (WINTER, "09:00-05:00", "16:00", ("14:00+00:00", "16:00+00:00")),
    ],
)
def test_moving_a_shift_to_a_time_with_a_utc_offset_moves_it_to_that_instant(
    client: Client, day: date, start: str, end: str, expected: tuple[str, str]
) -> None:
    shift = make_shift()
    client.force_login(organiser_of(shift.opportunity.group))
    body = {"day": day.isoformat(), "start_time": start, "end_time": end}
    moved = send(client, "patch", f"/organise/shifts/{shift.pk}", body)
    assert moved.status_code == 200, moved.content
    assert local_times(shift) == tuple(f"{day.isoformat()}T{time}" for time in expected)


def test_a_start_time_alone_with_an_offset_keeps_the_shifts_day_and_end(client: Client) -> None:
    shift = make_shift()
    day, end = timezone.localtime(shift.start).date(), timezone.localtime(shift.end)
    offset = timezone.localtime(shift.start).utcoffset()
    client.force_login(organiser_of(shift.opportunity.group))
    moved = send(client, "patch", f"/organise/shifts/{shift.pk}", {"start_time": "00:30+14:00"})
    # 00:30 at +14:00 is the day before in London: on the shift's day it cannot be.
    assert moved.status_code == 422
    assert "start_time" in moved.json()["errors"]
    assert local_times(shift)[1] == end.isoformat(timespec="minutes")
    early = (end - timedelta(hours=1)).time().replace(tzinfo=dt_timezone(offset or timedelta()))
    moved = send(client, "patch", f"/organise/shifts/{shift.pk}", {"start_time": early.isoformat()})
    assert moved.status_code == 200, moved.content
    assert local_times(shift)[0] == (end - timedelta(hours=1)).isoformat(timespec="minutes")
    assert timezone.localtime(shift.start).date() == day


@pytest.mark.parametrize(
    "start",
    ["25:00", "10:00+25:00", "2027-01-15T10:00:00+01:00", "ten o'clock", "", 36000],
)
def test_a_shift_time_that_is_not_a_time_is_a_422_that_says_so(
    client: Client, start: object
) -> None:
    shift = make_shift()
    before = local_times(shift)
    client.force_login(organiser_of(shift.opportunity.group))
    body = {"day": WINTER.isoformat(), "start_time": start, "end_time": "12:00"}
    refused = send(client, "patch", f"/organise/shifts/{shift.pk}", body)
    assert refused.status_code == 422, refused.content
    assert refused.json()["errors"] == {"start_time": [TIME_MESSAGE]}
    assert local_times(shift) == before


def test_a_shift_running_past_midnight_in_london_is_refused(client: Client) -> None:
    shift = make_shift()
    client.force_login(organiser_of(shift.opportunity.group))
    body = {"day": WINTER.isoformat(), "start_time": "22:00Z", "end_time": "01:00+02:00"}
    refused = send(client, "patch", f"/organise/shifts/{shift.pk}", body)
    assert refused.status_code == 422, refused.content
    assert "end_time" in refused.json()["errors"]


def test_new_shifts_with_a_utc_offset_start_at_that_instant(client: Client) -> None:
    group = make_group()
    client.force_login(organiser_of(group))
    plan = {"day": SUMMER.isoformat(), "start_time": "09:00Z", "end_time": "11:30+00:00"}
    body = opportunity_body(shifts={**plan, "capacity": 6, "weeks": 1})
    created = send(client, "post", f"/organise/groups/{group.pk}/opportunities", body)
    assert created.status_code == 201, created.content
    shift = Shift.objects.get(opportunity_id=created.json()["id"])
    assert local_times(shift) == (f"{SUMMER}T10:00+01:00", f"{SUMMER}T12:30+01:00")


@pytest.mark.parametrize("start", ["10:00+25:00", "nine", "10:00+01:00"])
def test_new_shifts_with_a_bad_or_mixed_time_are_a_422_not_a_500(
    client: Client, start: str
) -> None:
    group = make_group()
    client.force_login(organiser_of(group))
    plan = {"day": SUMMER.isoformat(), "start_time": start, "end_time": "09:30"}
    body = opportunity_body(shifts={**plan, "capacity": 6, "weeks": 1})
    refused = send(client, "post", f"/organise/groups/{group.pk}/opportunities", body)
    assert refused.status_code == 422, refused.content
    # 10:00+01:00 is 10:00 in London in summer: after the 09:30 end.
    assert {"shifts.start_time", "shifts.end_time"} & set(refused.json()["errors"])
    assert not Opportunity.objects.exists()
