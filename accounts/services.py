"""Writes about a person beyond their own details form: a parent or guardian's consent
for an under-16, asked, given and withdrawn. Each runs in one transaction under a row
lock; the e-mails go after commit, through Celery and the outbox."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import GuardianConsent, User
from accounts.tasks import guardian_consent_answer_email, guardian_consent_email
from outbox.services import outbox_enqueue

# Asking the same address again this soon (a double tap, an impatient resend) sends nothing.
RESEND_AFTER = timedelta(minutes=10)


class ConsentRefused(Exception):
    """A consent step the rules do not allow; the message is written for the reader."""


def guardian_consent_request(
    *, person: User, guardian_email: str, return_path: str = ""
) -> GuardianConsent:
    """The young person asks a parent or guardian, who gets an e-mail with a link. A new
    request replaces one still waiting (its old link stops working), so a mistyped
    address can be put right; a withdrawn one stays as history."""
    email = guardian_email.strip().lower()
    if not person.needs_guardian_consent():
        raise ConsentRefused("Only people under 16 need a parent or guardian's consent.")
    if email == person.email.lower():
        raise ConsentRefused("Enter your parent or guardian's email address, not your own.")
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).get(pk=person.pk)
        consent = (
            GuardianConsent.objects.select_for_update()
            .filter(person=person, withdrawn_at__isnull=True)
            .first()
        )
        now = timezone.now()
        if consent is not None and consent.given_at is not None:
            raise ConsentRefused("Your parent or guardian has already given their consent.")
        if consent and consent.guardian_email == email and consent.asked_at > now - RESEND_AFTER:
            return consent
        consent = consent or GuardianConsent(person=person)
        consent.guardian_email = email
        consent.token = secrets.token_urlsafe(32)
        consent.asked_at = now
        consent.return_path = return_path
        consent.save()
        outbox_enqueue(guardian_consent_email.name, consent.pk)
    return consent


def guardian_consent_give(*, consent: GuardianConsent) -> GuardianConsent:
    """The guardian confirms. Giving it again changes nothing; a withdrawn consent is
    not revived by its old link: the young person asks again."""
    with transaction.atomic():
        consent = GuardianConsent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_at is not None:
            raise ConsentRefused(
                f"This request was closed on {consent.withdrawn_at:%-d %B %Y}. "
                "If you have changed your mind, ask them to send you a new one."
            )
        if consent.given_at is None:
            consent.given_at = timezone.now()
            consent.save(update_fields=["given_at"])
            outbox_enqueue(guardian_consent_answer_email.name, consent.pk)
    return consent


def guardian_consent_withdraw(*, consent: GuardianConsent) -> GuardianConsent:
    """The guardian withdraws consent they gave, or says no to a request: the young
    person's next sign-up is refused, saying so and when."""
    with transaction.atomic():
        consent = GuardianConsent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_at is None:
            consent.withdrawn_at = timezone.now()
            consent.save(update_fields=["withdrawn_at"])
            outbox_enqueue(guardian_consent_answer_email.name, consent.pk)
    return consent
