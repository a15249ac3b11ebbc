"""The person's own details and "about me" pages. Redirects only to our own pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import BackgroundForm, DetailsForm
from accounts.http import AuthedHttpRequest
from accounts.models import Background


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
    return render(request, "account/details.html", {"form": form, "under_18": was_under_18})


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


def _next_or_details(request: AuthedHttpRequest) -> str:
    # Only our own pages: an unchecked "next" would let a link send people anywhere.
    wanted = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "account_details"
