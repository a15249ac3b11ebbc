"""What community groups and shops share: belonging to a scheme, and being verified by
its admins. Imports neither marketplace.board nor marketplace.rewards."""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify

from accounts.http import AuthedHttpRequest
from accounts.models import User
from coins.models import Scheme
from notifications.services import headline, notify


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for the council to verify"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Not verified"
    SUSPENDED = "suspended", "Suspended"


class Organisation(models.Model):
    """What a community group and a shop share: a scheme, and verification by its admins."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="%(class)ss")
    name = models.CharField(max_length=120)
    slug = models.SlugField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the council rejected or suspended it."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "slug"], name="%(app_label)s_%(class)s_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NotAllowed(Exception):
    """The person may not do this to this object; the message says why."""


def free_slug(model: type[Model], scheme: Scheme, name: str, fallback: str) -> str:
    """A slug for a new group or shop that no other of its kind in the scheme has."""
    base = slugify(name)[:40] or fallback
    slug, n = base, 2
    while model._default_manager.filter(scheme=scheme, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def decision_record(
    *, organisation: Organisation, by: User, verify: bool, reason: str, who: str
) -> str:
    """Record a scheme admin's verification or rejection; a rejection needs a reason,
    which `who` ("the group", "the shop") will see. Returns the cleaned reason."""
    reason = reason.strip()
    if not verify and not reason:
        raise NotAllowed(f"Give a reason, so that {who} knows what to change.")
    if len(reason) > 300:
        raise NotAllowed("Keep the reason to 300 characters or fewer.")
    organisation.status = Status.VERIFIED if verify else Status.REJECTED
    organisation.status_reason = "" if verify else reason
    organisation.decided_by = by
    organisation.decided_at = timezone.now()
    organisation.save(update_fields=["status", "status_reason", "decided_by", "decided_at"])
    return reason


def admins_tell_pending(*, organisation: Organisation, kind: str, body: str, url: str) -> None:
    """Tell the scheme's admins that a group or shop waits for them to verify it."""
    notify(
        recipients=list(User.objects.filter(scheme_admin_memberships__scheme=organisation.scheme)),
        kind=kind,
        title=headline(f"{organisation.name} is waiting for verification"),
        body=body,
        url=url,
    )


# The council's queue of groups or shops waiting for verification, and its decisions.


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("verify", "Verify"), ("reject", "Reject")], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label="Reason (needed to reject)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def verification_queue(
    request: AuthedHttpRequest, model: type[Organisation], template: str
) -> HttpResponse:
    """The groups or shops waiting for the council, in the schemes this officer runs."""
    schemes = Scheme.objects.filter(admin_memberships__user=request.user)
    if not schemes.exists():
        raise PermissionDenied
    pending = model._default_manager.filter(scheme__in=schemes, status=Status.PENDING)
    # Groups and shops both have a ward, named in the queue; the abstract model has none.
    pending = pending.select_related("ward")  # type: ignore[misc]
    return render(
        request, template, {"pending": pending.order_by("created"), "form": DecisionForm()}
    )


def verification_decision(
    request: AuthedHttpRequest,
    organisation: Organisation,
    decide: Callable[..., None],
    perm: str,
    back: str,
    noun: str,
) -> HttpResponse:
    """Verify a group or shop, or reject it with a reason, through its service."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Choose to verify or reject the {noun}.")
        return redirect(back)
    try:
        decide(
            by=request.user,
            verify=form.cleaned_data["decision"] == "verify",
            reason=form.cleaned_data["reason"],
        )
    except NotAllowed as refused:
        if not request.user.has_perm(perm, organisation):
            raise PermissionDenied from refused
        messages.error(request, f"{organisation.name}: {refused}")
        return redirect(back)
    messages.success(request, f"{organisation.name}: {organisation.get_status_display().lower()}.")
    return redirect(back)
