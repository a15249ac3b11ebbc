"""The person's own details and "about me" pages, and the page a parent or guardian
opens from their e-mail to give or withdraw consent. Redirects only to our own pages."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts.forms import BackgroundForm, DetailsForm
from accounts.http import AuthedHttpRequest
from accounts.models import Background, GuardianConsent
from accounts.services import ConsentRefused, guardian_consent_give, guardian_consent_withdraw

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")

# "Your data" links on Your details: (label, URL name) of pages a higher layer serves
# (the download and the deletion gather every app), registered by that layer's URLconf.
PRIVACY_LINKS: list[tuple[str, str]] = []


def privacy_link_register(*, label: str, url_name: str) -> None:
    if (label, url_name) not in PRIVACY_LINKS:
        PRIVACY_LINKS.append((label, url_name))


@login_required
def details(request: AuthedHttpRequest) -> HttpResponse:
    was_under_18 = request.user.is_under_18()
    form = DetailsForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        went_private = user.start_private_if_newly_under_18(was_under_18=was_under_18)
        user.save()
        saved = "Your details are saved."
        if went_private:
            saved += (
                " As you are under 18, we have hidden your name and home area from others."
                " You can turn them back on below."
            )
        messages.success(request, saved)
        return redirect(_next_or_details(request))
    links = [{"label": label, "url": reverse(name)} for label, name in PRIVACY_LINKS]
    context = {"form": form, "under_18": was_under_18, "privacy_links": links}
    return render(request, "account/details.html", context)


@login_required
def about_me(request: AuthedHttpRequest) -> HttpResponse:
    """Opt-in answers for the council's totals: saved together as one row, and
    withdrawing deletes it."""
    saved = Background.objects.filter(user=request.user).first()
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        deleted, _ = Background.objects.filter(user=request.user).delete()
        messages.success(
            request,
            "Your answers are deleted. Nothing about your background is kept."
            if deleted
            else "There were no answers to delete.",
        )
        return redirect("account_about_me")
    initial = {"ethnic_group": saved.ethnic_group, "religion": saved.religion} if saved else {}
    form = BackgroundForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        Background.objects.update_or_create(user=request.user, defaults=form.cleaned_data)
        messages.success(request, "Your answers are saved. You can change or withdraw them here.")
        return redirect("account_about_me")
    return render(
        request,
        "account/about_me.html",
        {"form": form, "saved": saved, "age_band": request.user.age_band()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def guardian_consent(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the secret link is the key. GET only shows (a link preview or a mail
    scanner gives nothing); the buttons POST."""
    found = GuardianConsent.objects.select_related("person")
    consent = found.filter(token=token).first() if TOKEN_RE.fullmatch(token) else None
    if consent is None:
        return render(request, "account/guardian_consent_missing.html", status=404)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "give":
                guardian_consent_give(consent=consent)
                messages.success(request, "Thank you. Your consent is recorded.")
            elif action == "withdraw":
                closed = guardian_consent_withdraw(consent=consent)
                messages.success(
                    request,
                    "Your consent is withdrawn."
                    if closed.given_at
                    else "Your answer is recorded: you did not give your consent.",
                )
        except ConsentRefused as refused:
            messages.error(request, str(refused))
        return redirect("account_guardian_consent", token=consent.token)
    person = consent.person
    context = {"consent": consent, "name": person.display_name or "They"}
    context["age"] = person.age_on(timezone.localdate())
    return render(request, "account/guardian_consent.html", context)


def _next_or_details(request: AuthedHttpRequest) -> str:
    # Only our own pages: an unchecked "next" would let a link send people anywhere.
    wanted = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "account_details"
