"""The platform operator's pages: the towns on this deployment, and adding one with its
first council admin. For superusers only; everyone else gets the 403 page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.http import AuthedHttpRequest
from backend.platform_forms import SchemeNewForm
from coins.models import Residence, Scheme, SchemeAdmin, SchemeAdminInvite
from coins.platform import PlatformRefused, SchemeCreated, is_platform_operator, scheme_create
from places.models import Ward


def _operator(request: AuthedHttpRequest) -> None:
    if not is_platform_operator(request.user):
        raise PermissionDenied


@login_required
def platform(request: AuthedHttpRequest) -> HttpResponse:
    _operator(request)
    admins = Prefetch(
        "admin_memberships", queryset=SchemeAdmin.objects.select_related("user").order_by("pk")
    )
    invites = Prefetch(
        "admin_invites",
        queryset=SchemeAdminInvite.objects.filter(accepted_at__isnull=True).order_by("pk"),
        to_attr="open_invites",
    )
    schemes = (
        Scheme.objects.annotate(
            resident_count=_count(Residence.objects.filter(scheme=OuterRef("pk"))),
            ward_count=_count(Ward.objects.filter(scheme=OuterRef("pk"))),
        )
        .prefetch_related(admins, invites)
        .order_by("name", "pk")
    )
    return render(request, "platform/index.html", {"schemes": schemes})


@login_required
def scheme_new(request: AuthedHttpRequest) -> HttpResponse:
    _operator(request)
    form = SchemeNewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = scheme_create(
                by=request.user,
                name=data["name"],
                slug=data["slug"],
                coin_name=data["coin_name"],
                coin_name_plural=data["coin_name_plural"],
                admin_email=data["admin_email"],
            )
        except PlatformRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _said(created))
            return redirect("platform:index")
    return render(request, "platform/scheme_new.html", {"form": form})


def _count(rows: QuerySet[Any]) -> Subquery:
    """A count in its own subquery: two joins would multiply each other's rows."""
    return Subquery(rows.values("scheme").annotate(n=Count("pk")).values("n")[:1])


def _said(created: SchemeCreated) -> str:
    added = f"{created.scheme.name} is added."
    if created.admin is not None:
        return f"{added} {created.admin.email} runs it now."
    email = created.invite.email if created.invite else ""
    return (
        f"{added} We e-mailed {email} asking them to join: they run it once they "
        "confirm the address."
    )
