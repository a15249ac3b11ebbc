"""Every task the outbox hands on may run twice (a relay resending after a crash, a
worker killed mid-task under acks_late): running one again e-mails nobody twice."""

from typing import Any

import pytest
from django.core import mail

from accounts.services import guardian_consent_give, guardian_consent_request
from accounts.tasks import guardian_consent_answer_email, guardian_consent_email
from coins.platform import scheme_create
from coins.tasks import scheme_admin_invite_email
from tests.accounts.test_guardian_consent import fourteen_year_old
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_the_guardians_request_email_sent_twice_arrives_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        consent = guardian_consent_request(person=fourteen_year_old(), guardian_email="p@x.org")
    assert len(mail.outbox) == 1
    assert guardian_consent_email.delay(consent.pk).get() == 0
    assert len(mail.outbox) == 1


def test_a_new_request_to_the_guardian_is_emailed_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    kai = fourteen_year_old()
    with django_capture_on_commit_callbacks(execute=True):
        guardian_consent_request(person=kai, guardian_email="p@x.org")
    with django_capture_on_commit_callbacks(execute=True):
        guardian_consent_request(person=kai, guardian_email="q@x.org")  # a mistyped one fixed
    assert [m.to for m in mail.outbox] == [["p@x.org"], ["q@x.org"]]


def test_the_answer_email_sent_twice_tells_the_young_person_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        consent = guardian_consent_request(person=fourteen_year_old(), guardian_email="p@x.org")
    with django_capture_on_commit_callbacks(execute=True):
        guardian_consent_give(consent=consent)
    assert [m.to for m in mail.outbox] == [["p@x.org"], ["kai@example.org"]]
    assert guardian_consent_answer_email.delay(consent.pk).get() == 0
    assert len(mail.outbox) == 2


def test_the_invitation_to_run_a_new_town_sent_twice_arrives_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    operator = make_user("platform@example.org", is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        created = scheme_create(
            by=operator,
            name="Fernley Citizen Coin",
            slug="fernley",
            coin_name="Fern",
            admin_email="officer@fernley.gov.uk",
        )
    assert [m.to for m in mail.outbox] == [["officer@fernley.gov.uk"]]
    assert created.invite is not None
    assert scheme_admin_invite_email.delay(created.invite.pk).get() == 0
    assert len(mail.outbox) == 1
