"""The e-mails about a guardian's consent: the request to the guardian (who has no
account, so it cannot go through notifications, a higher layer) and the answer to the
young person. Sent by Celery after commit, each once however often its task runs (the
outbox delivers at least once); links are absolute (settings.SITE_URL)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import GuardianConsent
from outbox.services import done_once


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def guardian_consent_request_send(*, consent_id: int) -> int:
    """The guardian's e-mail, with the link to see what they consent to and answer.
    Nothing goes for a request since replaced (its token changed) or closed."""
    consent = GuardianConsent.objects.select_related("person").filter(pk=consent_id).first()
    if consent is None or not consent.is_pending:
        return 0
    name = consent.person.display_name or "A young person"
    context: dict[str, object] = {
        "name": name,
        "person_email": consent.person.email,
        "link": absolute(reverse("account_guardian_consent", args=[consent.token])),
    }
    return _send(
        key=f"guardian-consent-request:{consent.pk}:{consent.token}",
        to=consent.guardian_email,
        subject=f"Citizen Coin: {name} asks for your consent to volunteer",
        template="account/email/guardian_consent_request.txt",
        context=context,
    )


def guardian_consent_answer_send(*, consent_id: int) -> int:
    """Tells the young person what their parent or guardian answered."""
    consent = GuardianConsent.objects.select_related("person").filter(pk=consent_id).first()
    if consent is None or not consent.person.is_active:
        return 0
    given = consent.is_given
    return _send(
        key=f"guardian-consent-answer:{consent.pk}:{'given' if given else 'refused'}",
        to=consent.person.email,
        subject="Citizen Coin: your parent or guardian gave their consent"
        if given
        else "Citizen Coin: your parent or guardian did not give their consent",
        template="account/email/guardian_consent_answer.txt",
        context={
            "consent": consent,
            "given": given,
            "link": absolute(consent.return_path or "/"),
        },
    )


def _send(*, key: str, to: str, subject: str, template: str, context: dict[str, object]) -> int:
    """Send under a key, once: a second run finds it sent and sends nothing, or raises
    WorkHeld while another run holds it; a mail server that refuses gives the key back
    for the task's retry."""
    body = render_to_string(template, context)
    return done_once(key, EmailMessage(subject=subject, body=body, to=[to]).send)
