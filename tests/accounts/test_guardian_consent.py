"""A parent or guardian's consent for an under-16: asked by the young person, answered
from the e-mailed link without logging in, withdrawable by the same link."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import GuardianConsent, User
from accounts.services import (
    ConsentRefused,
    guardian_consent_give,
    guardian_consent_request,
    guardian_consent_withdraw,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def fourteen_year_old(email: str = "kai@example.org") -> User:
    today = timezone.localdate()
    return make_user(email, display_name="Kai", birth_date=today.replace(year=today.year - 14))


def consent_link(settings: object) -> str:
    body = str(mail.outbox[-1].body)
    match = re.search(r"(https?://\S+)(/accounts/guardian/[\w-]+/)", body)
    assert match, body
    assert match.group(1) == settings.SITE_URL  # type: ignore[attr-defined]
    return match.group(2)


def test_the_guardian_is_emailed_a_link_sees_what_they_agree_to_and_confirms_without_logging_in(
    client: Client, settings: object, django_capture_on_commit_callbacks: object
) -> None:
    kai = fourteen_year_old()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        guardian_consent_request(person=kai, guardian_email=" Parent@Example.org ")
    assert [m.to for m in mail.outbox] == [["parent@example.org"]]
    assert "Kai asks for your consent to volunteer" in mail.outbox[0].subject
    link = consent_link(settings)

    page = client.get(link).content.decode()
    assert "What you are agreeing to" in page and "Kai, aged 14," in page
    assert "I give my consent" in page
    assert not GuardianConsent.objects.get().given_at  # looking gives nothing

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(link, {"action": "give"}, follow=True)
    page = response.content.decode()
    assert "Thank you. Your consent is recorded." in page
    assert "You gave your consent" in page and "Withdraw my consent" in page
    assert GuardianConsent.objects.get().is_given
    assert mail.outbox[-1].to == ["kai@example.org"]
    assert "gave their consent" in mail.outbox[-1].subject


def test_the_guardian_withdraws_later_by_the_same_link(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    consent = guardian_consent_give(
        consent=guardian_consent_request(person=fourteen_year_old(), guardian_email="p@example.org")
    )
    link = f"/accounts/guardian/{consent.token}/"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        page = client.post(link, {"action": "withdraw"}, follow=True).content.decode()
    assert "Your consent is withdrawn." in page
    assert "You withdrew your consent" in page and "I give my consent" not in page
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and not consent.is_given
    assert "did not give their consent" in mail.outbox[-1].subject
    # The old link does not bring it back: the young person asks again.
    page = client.post(link, {"action": "give"}, follow=True).content.decode()
    assert "If you have changed your mind, ask them to send you a new one." in page
    consent.refresh_from_db()
    assert not consent.is_given


def test_a_guardian_can_say_no_to_a_request(client: Client) -> None:
    consent = guardian_consent_request(person=fourteen_year_old(), guardian_email="p@example.org")
    page = client.post(
        f"/accounts/guardian/{consent.token}/", {"action": "withdraw"}, follow=True
    ).content.decode()
    assert "you did not give your consent" in page
    consent.refresh_from_db()
    assert consent.withdrawn_at and consent.given_at is None


def test_a_mangled_or_replaced_link_is_a_clear_not_found(client: Client) -> None:
    kai = fourteen_year_old()
    first = guardian_consent_request(person=kai, guardian_email="typo@example.org")
    old_token = first.token
    second = guardian_consent_request(person=kai, guardian_email="parent@example.org")
    assert second.pk == first.pk and second.token != old_token  # one open request
    for token in (old_token, "nope", "bad\x00token"):
        response = client.get(f"/accounts/guardian/{token}/")
        assert response.status_code == 404
        assert "This consent link doesn't work" in response.content.decode()


def test_asking_twice_in_a_row_sends_one_email(
    django_capture_on_commit_callbacks: object,
) -> None:
    kai = fourteen_year_old()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = guardian_consent_request(person=kai, guardian_email="p@example.org")
        again = guardian_consent_request(person=kai, guardian_email="P@example.org")
    assert first.token == again.token
    assert len(mail.outbox) == 1


def test_only_under_16s_ask_and_never_their_own_address() -> None:
    today = timezone.localdate()
    sixteen = make_user("sixteen@example.org", birth_date=today.replace(year=today.year - 16))
    with pytest.raises(ConsentRefused, match="Only people under 16"):
        guardian_consent_request(person=sixteen, guardian_email="p@example.org")
    kai = fourteen_year_old()
    with pytest.raises(ConsentRefused, match="not your own"):
        guardian_consent_request(person=kai, guardian_email="KAI@example.org")
    guardian_consent_give(consent=guardian_consent_request(person=kai, guardian_email="p@x.org"))
    with pytest.raises(ConsentRefused, match="already given"):
        guardian_consent_request(person=kai, guardian_email="other@example.org")
    assert GuardianConsent.objects.count() == 1


def test_the_database_keeps_one_open_request_per_person_and_answers_after_asking() -> None:
    kai = fourteen_year_old()
    now = timezone.now()
    GuardianConsent.objects.create(person=kai, guardian_email="a@example.org", token="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianConsent.objects.create(person=kai, guardian_email="b@example.org", token="b")
    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianConsent.objects.create(
            person=kai,
            guardian_email="c@example.org",
            token="c",
            withdrawn_at=now - timedelta(days=1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianConsent.objects.create(
            person=make_user("x@example.org", birth_date=date(2012, 1, 1)),
            guardian_email="d@example.org",
            token="d",
            given_at=now,
            withdrawn_at=now - timedelta(minutes=1),
        )


def test_withdrawing_twice_keeps_the_first_date() -> None:
    consent = guardian_consent_request(person=fourteen_year_old(), guardian_email="p@example.org")
    first = guardian_consent_withdraw(consent=consent).withdrawn_at
    assert guardian_consent_withdraw(consent=consent).withdrawn_at == first
