"""The person's own account in the download of their data, and its erasure: the User
row is anonymised, never deleted, because the ledger and the hours point at it."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.models import Background, GuardianConsent, User


def personal_data(user: User) -> dict[str, Any]:
    background = Background.objects.filter(user=user).first()
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "postcode": user.postcode,
            "birth_date": user.birth_date,
            "said_13_to_17_when_joining": user.declared_under_18,
            "confirmed_13_or_over_at": user.age_confirmed_at,
            "share_name_with_shops_and_volunteers": user.share_name,
            "share_home_area_with_groups": user.share_location,
            "joined": user.date_joined,
            "last_login": user.last_login,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "about_me": (
            {
                "ethnic_group": background.get_ethnic_group_display(),
                "religion": background.get_religion_display(),
                "answered_at": background.answered_at,
            }
            if background
            else None
        ),
        "guardian_consents": [
            {
                "guardian_email_you_gave": consent.guardian_email,
                "asked_at": consent.asked_at,
                "given_at": consent.given_at,
                "withdrawn_or_refused_at": consent.withdrawn_at,
            }
            for consent in GuardianConsent.objects.filter(person=user).order_by("asked_at", "id")
        ],
    }


def personal_data_erase(*, user: User) -> User:
    """Delete what the person told us and anonymise the User row: it stays only so that
    ledger rows and hours, which point at it, still add up. They can no longer log in."""
    with transaction.atomic():
        Background.objects.filter(user=user).delete()
        GuardianConsent.objects.filter(person=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        # The admin site's history names the row as it was (its e-mail address).
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).update(object_repr=f"deleted account {user.pk}", change_message="")
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.display_name = user.postcode = ""
        user.birth_date = user.age_confirmed_at = None
        user.declared_under_18 = False
        user.share_name = user.share_location = False
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
    user_id = str(user.pk)
    transaction.on_commit(lambda: sessions_end(user_id=user_id), robust=True)
    return user


def sessions_end(*, user_id: str) -> int:
    """Log the person out everywhere. (A changed password already makes their other
    sessions invalid; this removes the rows too.)"""
    live = Session.objects.filter(expire_date__gt=timezone.now())
    ended = [s.pk for s in live.iterator() if s.get_decoded().get("_auth_user_id") == user_id]
    return Session.objects.filter(pk__in=ended).delete()[0]
