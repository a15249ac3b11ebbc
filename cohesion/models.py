"""The pulse: a short, optional question set a volunteer is offered after their hours
are confirmed (at most once a fortnight), and its answers, kept apart from the person.

An answer row holds the scheme, the month, the ward the person lives in and what they
said: no person, shift or group, so nothing a group or a shop can see links to it."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from coins.models import Scheme
from places.models import Ward


class Item(models.TextChoices):
    """The standard questions, in the Community Life Survey's words; a pulse asks one,
    in turn. Scores are the survey's four points, 1 the most positive."""

    GET_ON = "get_on", "People from different backgrounds get on well together"
    BELONG = "belong", "Belonging to the neighbourhood"
    TRUST = "trust", "Trust in neighbours"


class PulseInvite(models.Model):
    """One offer of the pulse to one volunteer; its token is the link in the e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulse_invites"
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    item = models.CharField(max_length=10, choices=Item.choices)
    created = models.DateTimeField(auto_now_add=True)
    # Answered or skipped: either way it is not offered again.
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created"], name="pulse_invite_user_idx")]

    def __str__(self) -> str:
        return f"pulse for user {self.user_id}"


class PulseAnswer(models.Model):
    """What one pulse said. No link to the person, the shift or the group."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    # Where the person lives (from their postcode), when they answered; None if unknown.
    ward = models.ForeignKey(
        Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    met_new = models.BooleanField(null=True, blank=True)
    met_different = models.BooleanField(null=True, blank=True)
    item = models.CharField(max_length=10, choices=Item.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["scheme", "month"], name="pulse_answer_month_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=4),
                name="pulse_answer_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"pulse answer {self.pk} for {self.month:%Y-%m}"
