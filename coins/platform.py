"""A platform operator adds a town: the scheme and its first council admin. An address
with an account becomes the admin at once; any other is invited by e-mail and becomes
the admin when someone joins with it and confirms it (`scheme_admin_invites_accept`)."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins.models import Residence, Scheme, SchemeAdmin, SchemeAdminInvite
from coins.residence import only_scheme, residences_fill
from outbox.services import done_once, outbox_enqueue


class PlatformRefused(Exception):
    """What the platform will not do; the message is written for the operator."""


@dataclass(frozen=True)
class SchemeCreated:
    scheme: Scheme
    admin: User | None  # an account that runs it now
    invite: SchemeAdminInvite | None  # else the address asked to join


def is_platform_operator(user: object) -> bool:
    """Whoever runs the deployment itself: a superuser."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_superuser", False))


def scheme_create(
    *,
    by: User,
    name: str,
    slug: str,
    coin_name: str,
    coin_name_plural: str = "",
    admin_email: str,
) -> SchemeCreated:
    """The new scheme and its first admin, in one transaction; the invitation e-mail goes
    after commit. Those who joined while there was one town stay that town's residents."""
    if not is_platform_operator(by):
        raise PlatformRefused("Only a platform operator can add a town.")
    email = admin_email.strip().lower()
    try:
        with transaction.atomic():
            before = only_scheme()
            scheme = Scheme.objects.create(
                name=name.strip(),
                slug=slug,
                coin_name=coin_name.strip(),
                coin_name_plural=coin_name_plural.strip(),
            )
            if before is not None:
                residences_fill(scheme=before)
            return _first_admin(scheme=scheme, by=by, email=email)
    except IntegrityError as clash:  # two operators chose the same address at once
        raise PlatformRefused(f"There is already a town at the address “{slug}”.") from clash


def _first_admin(*, scheme: Scheme, by: User, email: str) -> SchemeCreated:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        SchemeAdmin.objects.create(scheme=scheme, user=user)
        return SchemeCreated(scheme=scheme, admin=user, invite=None)
    invite = SchemeAdminInvite.objects.create(scheme=scheme, email=email, invited_by=by)
    from coins.tasks import scheme_admin_invite_email

    outbox_enqueue(scheme_admin_invite_email.name, invite.pk)
    return SchemeCreated(scheme=scheme, admin=None, invite=invite)


def scheme_admin_invite_send(*, invite_id: int) -> int:
    """The e-mail asking the address to join and run the scheme; nothing once accepted."""
    invite = SchemeAdminInvite.objects.select_related("scheme").filter(pk=invite_id).first()
    if invite is None or invite.accepted_at is not None:
        return 0
    body = render_to_string(
        "platform/email/admin_invite.txt",
        {"scheme": invite.scheme, "email": invite.email, "link": _signup_link()},
    )
    subject = f"Citizen Coin: you are asked to run {invite.scheme.name}"
    message = EmailMessage(subject=subject, body=body, to=[invite.email])
    return done_once(f"scheme-admin-invite:{invite.pk}", message.send)


def _signup_link() -> str:
    return settings.SITE_URL + reverse("account_signup")


def scheme_admin_invites_accept(*, user: User, email: str) -> list[SchemeAdmin]:
    """The person confirmed `email`: each open invitation for it makes them that
    scheme's admin, and a person with no town yet lives in the first of them."""
    accepted = []
    with transaction.atomic():
        invites = SchemeAdminInvite.objects.select_for_update().filter(
            email=email.strip().lower(), accepted_at__isnull=True
        )
        for invite in invites.order_by("pk"):
            admin, _ = SchemeAdmin.objects.get_or_create(scheme_id=invite.scheme_id, user=user)
            invite.accepted_at = timezone.now()
            invite.save(update_fields=["accepted_at"])
            Residence.objects.get_or_create(user=user, defaults={"scheme_id": invite.scheme_id})
            accepted.append(admin)
    return accepted


def on_email_confirmed(sender: object, email_address: EmailAddress, **kwargs: object) -> None:
    """allauth's email_confirmed: an invited address, once confirmed, runs its scheme."""
    scheme_admin_invites_accept(user=email_address.user, email=email_address.email)
