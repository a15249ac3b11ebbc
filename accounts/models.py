"""The User: e-mail login, the name and area others may see, age and privacy defaults,
what a person chose to say about themselves for the council's totals (Background), and
a parent or guardian's consent for an under-16 (GuardianConsent).
Knows nothing of groups, coins or notifications."""

from datetime import date
from typing import Any

import pgtrigger
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

# Age bands of the council's mixing figures: (youngest age in the band, its name).
AGE_BANDS = [
    (13, "13 to 17"),
    (18, "18 to 24"),
    (25, "25 to 34"),
    (35, "35 to 49"),
    (50, "50 to 64"),
    (65, "65 and over"),
]


# Under this age a parent or guardian must consent before a first shift, as the town's
# anchor charities require.
GUARDIAN_CONSENT_UNDER = 16


def age_band(age: int) -> str:
    """The band an age falls in ("25 to 34")."""
    return next(name for youngest, name in reversed(AGE_BANDS) if age >= youngest)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone is a resident; further roles come from memberships in other apps.

    Who sees what: the organisers of a group a person volunteers with always see their
    display_name (they need it to keep people safe and to check them in). Everyone else,
    shops at the till and other volunteers, sees only public_name and public_area, which
    are empty unless the person chose to share them. Under-18s start with both off.
    """

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="What the person wants to be called. Asked when they join, and before "
        "a first shift from accounts made before it was; the organisers of their shifts "
        "always see it, others only as public_name.",
    )
    postcode = models.CharField("home postcode", max_length=8, blank=True)
    age_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person confirmed they are 13 or over."
    )
    birth_date = models.DateField(
        null=True, blank=True, help_text="Asked only where an opportunity has a minimum age."
    )
    declared_under_18 = models.BooleanField(
        default=False, help_text="Said they were 13 to 17 when they joined."
    )
    share_name = models.BooleanField(
        default=True, help_text="Show their first name to shops and to other volunteers."
    )
    share_location = models.BooleanField(
        default=True,
        help_text="Show their home area (the first half of the postcode) to their groups.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)

    def is_under_18(self, on: date | None = None) -> bool:
        """By the date of birth when we have it, else by what they said when they joined."""
        age = self.age_on(on or timezone.localdate())
        return self.declared_under_18 if age is None else age < 18

    def needs_guardian_consent(self, on: date | None = None) -> bool:
        """Under 16 by the date of birth. Someone who said "13 to 17" and gave no date
        may be: the caller asks for the date first (see `birth_date_needed`)."""
        age = self.age_on(on or timezone.localdate())
        return age is not None and age < GUARDIAN_CONSENT_UNDER

    @property
    def is_under_16(self) -> bool:
        return self.needs_guardian_consent()

    def latest_guardian_consent(self) -> "GuardianConsent | None":
        """The newest consent asked for; an older one only ever matters as history."""
        return self.guardian_consents.order_by("-asked_at", "-id").first()

    def age_band(self, on: date | None = None) -> str:
        """By the date of birth; "13 to 17" for someone who said so when they joined and
        gave no date; "" when we do not know."""
        age = self.age_on(on or timezone.localdate())
        if age is None:
            return AGE_BANDS[0][1] if self.declared_under_18 else ""
        return age_band(age)

    def use_high_privacy_defaults(self) -> None:
        """Hide name and area from others: where under-18s start. A default, not a lock:
        they may turn either back on. The caller saves."""
        self.share_name = False
        self.share_location = False

    def start_private_if_newly_under_18(self, *, was_under_18: bool) -> bool:
        """The moment we learn someone is under 18 (a date of birth just entered), they
        get the high-privacy defaults. Returns whether it did; the caller saves."""
        if was_under_18 or not self.is_under_18():
            return False
        self.use_high_privacy_defaults()
        return True

    @property
    def public_name(self) -> str:
        """The name shops (at the till) and other volunteers see: blank unless shared."""
        return self.display_name if self.share_name else ""

    @property
    def public_area(self) -> str:
        """The outward half of the postcode ("TF1"), if the person shares it."""
        if not (self.share_location and self.postcode):
            return ""
        # The inward half is always the last three characters, with or without a space.
        return self.postcode.replace(" ", "").upper()[:-3]

    def get_short_name(self) -> str:
        return self.display_name or "there"

    def get_full_name(self) -> str:
        return self.display_name


class Background(models.Model):
    """What a person chose to say about themselves, so that the council can see whether
    the scheme brings different people together. Opt-in; withdrawing deletes the row.
    Read only by the council's aggregate reports (impact), never shown to a group or a
    shop. The categories are the ONS 2021 Census's top-level ones."""

    class EthnicGroup(models.TextChoices):
        ASIAN = "asian", "Asian, Asian British or Asian Welsh"
        BLACK = "black", "Black, Black British, Black Welsh, Caribbean or African"
        MIXED = "mixed", "Mixed or Multiple ethnic groups"
        WHITE = "white", "White"
        OTHER = "other", "Other ethnic group"
        UNSAID = "unsaid", "Prefer not to say"

    class Religion(models.TextChoices):
        NONE = "none", "No religion"
        CHRISTIAN = "christian", "Christian"
        BUDDHIST = "buddhist", "Buddhist"
        HINDU = "hindu", "Hindu"
        JEWISH = "jewish", "Jewish"
        MUSLIM = "muslim", "Muslim"
        SIKH = "sikh", "Sikh"
        OTHER = "other", "Any other religion"
        UNSAID = "unsaid", "Prefer not to say"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="background")
    ethnic_group = models.CharField(max_length=10, choices=EthnicGroup.choices)
    religion = models.CharField(max_length=10, choices=Religion.choices)
    answered_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"background of user {self.user_id}"


class GuardianConsent(models.Model):
    """A parent or guardian's consent for an under-16 to volunteer: asked by the young
    person (who gives the e-mail address), given or refused by whoever follows the
    e-mailed link (the token), withdrawable later by the same link. A person has at most
    one open request; a withdrawn one stays, so that a refusal can say when."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardian_consents")
    guardian_email = models.EmailField()
    token = models.CharField(max_length=64, unique=True)
    asked_at = models.DateTimeField(default=timezone.now)
    given_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="Withdrawn after giving it, or refused before."
    )
    # Where the young person was when they asked (a shift's page), for the e-mail that
    # tells them the answer; passed in by the caller, as accounts knows no such pages.
    return_path = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(withdrawn_at__isnull=True),
                name="guardian_consent_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(given_at__isnull=True) | Q(given_at__gte=F("asked_at")),
                name="guardian_consent_given_after_asked",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True)
                | Q(withdrawn_at__gte=F("asked_at"))
                & (Q(given_at__isnull=True) | Q(withdrawn_at__gte=F("given_at"))),
                name="guardian_consent_withdrawn_after_given",
            ),
            models.CheckConstraint(condition=~Q(token=""), name="guardian_consent_has_a_token"),
        ]

    def __str__(self) -> str:
        return f"guardian consent for user {self.person_id}"

    @property
    def is_given(self) -> bool:
        """Given and not withdrawn: the only state in which an under-16 may sign up."""
        return self.given_at is not None and self.withdrawn_at is None

    @property
    def is_pending(self) -> bool:
        return self.given_at is None and self.withdrawn_at is None


class Erasure(models.Model):
    """An account was erased (UK GDPR): when, and who did it, the person themselves or a
    council officer at their request. Nothing personal: the account is the anonymised
    row, and the reason is checked not to name them. Append-only."""

    account = models.OneToOneField(User, on_delete=models.PROTECT, related_name="erasure")
    by = models.ForeignKey(User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [
            pgtrigger.Protect(
                name="accounts_erasure_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"account {self.account_id} erased"

    @property
    def on_request(self) -> bool:
        """A council officer erased it, at the person's request."""
        return self.by_id != self.account_id
