"""The pulse: offered after confirmed hours at most once a fortnight, answered in three
taps without logging in, and stored with no link to the person."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections, transaction
from django.db.models import ForeignKey
from django.test import Client
from django.utils import timezone

from accounts.models import User
from cohesion.models import Item, PulseAnswer, PulseInvite
from cohesion.services import PulseRefused, pulse_answer, pulse_offer, pulse_skip
from coins.models import Scheme
from marketplace.board.services.hours import hours_confirm
from notifications.models import Notification
from tests.conftest import make_user
from tests.marketplace.test_hours import organiser_of, past_shift_with

pytestmark = pytest.mark.django_db


def confirmed_volunteer(
    email: str = "sam@example.org", postcode: str = "BK1 1AA", title: str = "Litter pick"
) -> tuple[User, PulseInvite]:
    volunteer = User.objects.filter(email=email).first() or make_user(email, postcode=postcode)
    shift = past_shift_with([volunteer], title=title)
    hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
    invite = PulseInvite.objects.filter(user=volunteer).order_by("-pk").first()
    assert invite is not None
    return volunteer, invite


def test_confirmed_hours_bring_the_pulse_with_its_link_in_page_and_by_email(
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        volunteer, invite = confirmed_volunteer()
    assert len(invite.token) >= 40 and invite.item == Item.GET_ON and invite.done_at is None
    note = Notification.objects.get(user=volunteer, kind="pulse")
    assert note.title == "A short question after your shift"
    assert note.url == f"/pulse/{invite.token}/"
    assert note.in_page
    email = next(m for m in mail.outbox if m.subject.endswith(note.title))
    assert f"/pulse/{invite.token}/" in email.body
    assert "never see your answers" in email.body


def test_it_is_offered_at_most_once_a_fortnight() -> None:
    volunteer, first = confirmed_volunteer()
    confirmed_volunteer(title="Park tidy")  # a second shift confirmed the same day
    assert PulseInvite.objects.filter(user=volunteer).count() == 1
    assert Notification.objects.filter(user=volunteer, kind="pulse").count() == 1

    PulseInvite.objects.filter(pk=first.pk).update(created=timezone.now() - timedelta(days=15))
    confirmed_volunteer(title="Food bank")
    assert PulseInvite.objects.filter(user=volunteer).count() == 2


def test_the_standard_item_rotates_by_how_many_invites_the_person_had() -> None:
    volunteer = make_user("sam@example.org")
    scheme, _ = Scheme.objects.get_or_create(slug="testford", defaults={"name": "Testford"})
    items = []
    for _ in range(4):
        invite = pulse_offer(user=volunteer, scheme=scheme)
        assert invite is not None
        items.append(invite.item)
        PulseInvite.objects.filter(pk=invite.pk).update(created=timezone.now() - timedelta(days=15))
    assert items == [Item.GET_ON, Item.BELONG, Item.TRUST, Item.GET_ON]
    assert len({i.token for i in PulseInvite.objects.all()}) == 4


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_make_one_invite() -> None:
    volunteer = make_user("sam@example.org")
    scheme, _ = Scheme.objects.get_or_create(slug="testford", defaults={"name": "Testford"})
    first_in, let_go = threading.Event(), threading.Event()
    made: list[object] = []

    def confirm(hold: bool) -> None:
        try:
            with transaction.atomic():
                made.append(pulse_offer(user=volunteer, scheme=scheme))
                if hold:  # the first keeps its transaction open, as a long confirmation would
                    first_in.set()
                    let_go.wait(10)
        finally:
            connections.close_all()

    first = threading.Thread(target=confirm, args=(True,))
    first.start()
    assert first_in.wait(10)
    second = threading.Thread(target=confirm, args=(False,))
    second.start()
    second.join(1)
    assert second.is_alive(), "the second offer should wait for the first to commit"
    let_go.set()
    first.join(10)
    second.join(10)
    assert PulseInvite.objects.filter(user=volunteer).count() == 1
    assert sum(1 for m in made if m is not None) == 1


def test_an_answer_keeps_scheme_month_and_ward_and_nothing_that_leads_to_the_person() -> None:
    _, invite = confirmed_volunteer(postcode="BK1 1AA")
    answer = pulse_answer(invite=invite, met_new=True, met_different=None, score=2)
    assert answer.scheme_id == invite.scheme_id
    assert answer.month == timezone.localdate().replace(day=1)
    assert answer.ward is not None and answer.ward.code == "E05099903"
    assert (answer.met_new, answer.met_different, answer.item, answer.score) == (
        True,
        None,
        Item.GET_ON,
        2,
    )
    links = {f.name: f.related_model for f in PulseAnswer._meta.get_fields() if f.is_relation}
    assert set(links) == {"scheme", "ward"}
    assert all(isinstance(PulseAnswer._meta.get_field(n), ForeignKey) for n in links)
    assert not any(f.name in {"user", "created", "invite"} for f in PulseAnswer._meta.fields)
    invite.refresh_from_db()
    assert invite.done_at is not None


def test_answering_twice_or_off_the_scale_is_refused() -> None:
    _, invite = confirmed_volunteer()
    with pytest.raises(PulseRefused, match="not one of the four"):
        pulse_answer(invite=invite, met_new=None, met_different=None, score=5)
    pulse_answer(invite=invite, met_new=False, met_different=False, score=None)
    with pytest.raises(PulseRefused, match="already answered"):
        pulse_answer(invite=invite, met_new=True, met_different=True, score=1)
    assert PulseAnswer.objects.count() == 1


def test_three_taps_answer_it_without_logging_in_and_nothing_is_written_before_the_last(
    client: Client,
) -> None:
    _, invite = confirmed_volunteer()
    url = f"/pulse/{invite.token}/"
    page = client.get(url).content.decode()
    assert "Question 1 of 3" in page and "Did you meet someone new?" in page
    assert "Groups and shops never see your answers" in page
    assert 'name="stop"' in page and "No thanks" in page

    page = client.post(url, {"met_new": "yes"}).content.decode()
    assert "Question 2 of 3" in page and "from a different background from yours?" in page
    assert '<input type="hidden" name="met_new" value="yes">' in page
    assert "No thanks" not in page

    page = client.post(url, {"met_new": "yes", "met_different": "skip"}).content.decode()
    assert "Question 3 of 3" in page
    assert "people from different backgrounds get on well together?" in page
    assert ">Tend to disagree</button>" in page
    assert not PulseAnswer.objects.exists()

    response = client.post(url, {"met_new": "yes", "met_different": "skip", "score": "3"})
    assert response["Location"] == f"/pulse/{invite.token}/thanks/"
    assert "Thank you" in client.get(response["Location"]).content.decode()
    answer = PulseAnswer.objects.get()
    assert (answer.met_new, answer.met_different, answer.score) == (True, None, 3)


def test_the_third_question_is_the_invites_item_in_the_surveys_words(client: Client) -> None:
    _, invite = confirmed_volunteer()
    PulseInvite.objects.filter(pk=invite.pk).update(item=Item.TRUST)
    page = client.post(
        f"/pulse/{invite.token}/", {"met_new": "no", "met_different": "no"}
    ).content.decode()
    assert "many of the people in your neighbourhood can be trusted" in page
    for label in ("Many", "Some", "A few", "None"):
        assert f">{label}</button>" in page


@pytest.mark.parametrize(
    "sent",
    [
        {"met_new": "maybe", "met_different": "yes", "score": "1"},
        {"met_new": "yes", "met_different": "yes", "score": "9"},
        {"met_new": "yes", "score": "1"},
        {"score": "2"},
    ],
)
def test_a_changed_hidden_answer_is_refused_and_nothing_written(
    client: Client, sent: dict[str, str]
) -> None:
    _, invite = confirmed_volunteer()
    response = client.post(f"/pulse/{invite.token}/", sent)
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert not PulseAnswer.objects.exists()
    invite.refresh_from_db()
    assert invite.done_at is None


def test_a_used_link_says_so_and_a_replayed_answer_writes_nothing(client: Client) -> None:
    _, invite = confirmed_volunteer()
    url = f"/pulse/{invite.token}/"
    answers = {"met_new": "no", "met_different": "no", "score": "1"}
    client.post(url, answers)
    replay = client.post(url, answers)
    assert replay.status_code == 409
    assert "Already answered" in replay.content.decode()
    assert PulseAnswer.objects.count() == 1
    again = client.get(url)
    assert again.status_code == 200 and "Already answered" in again.content.decode()


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 200])
def test_an_unknown_or_forged_link_is_explained(client: Client, token: str) -> None:
    confirmed_volunteer()
    for response in (client.get(f"/pulse/{token}/"), client.get(f"/pulse/{token}/thanks/")):
        assert response.status_code == 404
        assert "This link doesn't work" in response.content.decode()
    response = client.post(f"/pulse/{token}/", {"met_new": "yes"})
    assert response.status_code == 404


def test_no_thanks_closes_it_and_writes_no_answer(client: Client) -> None:
    _, invite = confirmed_volunteer()
    page = client.post(f"/pulse/{invite.token}/", {"stop": "1"}).content.decode()
    assert "No problem" in page and "Nothing was saved" in page
    assert not PulseAnswer.objects.exists()
    invite.refresh_from_db()
    assert invite.done_at is not None
    assert pulse_skip(invite=invite).done_at == invite.done_at  # a second skip changes nothing
    assert "Already answered" in client.get(f"/pulse/{invite.token}/").content.decode()


def test_the_thanks_page_waits_for_an_answer(client: Client) -> None:
    _, invite = confirmed_volunteer()
    response = client.get(f"/pulse/{invite.token}/thanks/")
    assert response["Location"] == f"/pulse/{invite.token}/"
