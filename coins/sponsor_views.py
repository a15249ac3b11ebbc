"""Sponsoring the scheme's fund or a community group through Stripe (coins/funding.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from coins.funding import (
    SponsorshipUnavailable,
    recipient_name,
    sponsorship_cancel,
    sponsorship_intent,
    sponsorship_offered,
    sponsorship_start,
)
from coins.links import sponsorship_report
from coins.models import Sponsorship
from coins.services import LedgerError
from coins.sponsor_forms import SponsorForm
from coins.sponsor_selectors import (
    UNFINISHED,
    hours_text,
    sponsorship_cancellable,
    sponsorship_minutes,
)
from coins.templatetags.pounds import pounds

# What a PaymentIntent waiting for the sponsor can be in; any other means it is done with.
PAYABLE = {"requires_payment_method", "requires_confirmation", "requires_action"}


def _mine(request: AuthedHttpRequest, pk: int) -> Sponsorship:
    return get_object_or_404(
        Sponsorship.objects.select_related("scheme", "account"), pk=pk, sponsor=request.user
    )


@login_required
def start(request: AuthedHttpRequest) -> HttpResponse:
    if not sponsorship_offered():
        return render(request, "sponsor/start.html", {"offered": False})
    form = SponsorForm(
        request.POST if request.method == "POST" else None,
        initial={"to": request.GET.get("to", "")},
    )
    if request.method == "POST" and form.is_valid():
        scheme, account = form.target()
        try:
            sponsorship, _ = sponsorship_start(
                scheme=scheme,
                sponsor=request.user,
                account=account,
                amount_pence=form.cleaned_data["amount"],
            )
        except LedgerError as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("sponsor:pay", sponsorship.pk)
    return render(request, "sponsor/start.html", {"offered": True, "form": form})


@login_required
def pay(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    sponsorship = _mine(request, pk)
    if sponsorship.status not in UNFINISHED:  # a declined card leaves it open for another
        return redirect("sponsor:receipt", pk)
    try:
        intent = sponsorship_intent(sponsorship)
    except SponsorshipUnavailable as refused:
        messages.error(request, str(refused))
        return redirect("sponsor:receipt", pk)
    if intent.status not in PAYABLE:
        return redirect("sponsor:receipt", pk)
    return render(
        request,
        "sponsor/pay.html",
        {
            "sponsorship": sponsorship,
            "to": recipient_name(sponsorship.account),
            "pounds": pounds(sponsorship.amount_pence),
            "client_secret": intent.client_secret,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
        },
    )


@login_required
@require_POST
def cancel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    sponsorship = _mine(request, pk)
    try:
        sponsorship_cancel(sponsorship=sponsorship)
    except LedgerError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"Payment S{pk} of {pounds(sponsorship.amount_pence)} cancelled. No money was taken.",
        )
    return redirect("sponsor:mine")


@login_required
def receipt(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    sponsorship = _mine(request, pk)
    return render(
        request,
        "sponsor/receipt.html",
        {
            "sponsorship": sponsorship,
            "to": recipient_name(sponsorship.account),
            "pounds": pounds(sponsorship.amount_pence),
            "cancellable": sponsorship_cancellable(sponsorship),
        },
    )


def status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the receipt page polls for while it waits for Stripe: {"status": ...}."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in to see your sponsorships."}, status=401)
    found = Sponsorship.objects.filter(pk=pk, sponsor=request.user).values("status").first()
    if found is None:
        return JsonResponse({"error": "No such sponsorship."}, status=404)
    return JsonResponse({"status": found["status"]})


@login_required
def mine(request: AuthedHttpRequest) -> HttpResponse:
    rows = Sponsorship.objects.filter(sponsor=request.user).select_related("scheme", "account")
    lines = []
    for s in rows.order_by("-created", "-pk")[:100]:
        minutes = sponsorship_minutes(s) if s.status == Sponsorship.State.PAID else 0
        lines.append(
            {
                "sponsorship": s,
                "to": recipient_name(s.account),
                "pounds": pounds(s.amount_pence),
                "minutes": minutes,
                "hours": hours_text(minutes),
                # What the money did, from the reporting app (coins never names it).
                "report": sponsorship_report(s) if s.status == Sponsorship.State.PAID else "",
                "cancellable": sponsorship_cancellable(s),
            }
        )
    return render(request, "sponsor/mine.html", {"lines": lines})
