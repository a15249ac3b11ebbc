"""The "Your town" page, where a resident (or a visitor, for this visit) picks the town
whose board, rewards and wallet they see, and the page for a thing in another town."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from coins.models import Scheme
from coins.residence import SESSION_KEY, residence_set, town_for
from places.towns import scheme_for_postcode


class TownForm(forms.Form):
    town = forms.ModelChoiceField(
        queryset=Scheme.objects.order_by("name", "pk"),
        to_field_name="slug",
        label="Your town",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your town.",
            "invalid_choice": "Choose one of the towns listed.",
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def town(request: HttpRequest) -> HttpResponse:
    back = _next(request)
    current = town_for(request)
    form = TownForm(
        request.POST if request.method == "POST" else None,
        initial={"town": current.slug if current else None},
    )
    if request.method == "POST" and form.is_valid():
        chosen: Scheme = form.cleaned_data["town"]
        if request.user.is_authenticated:
            residence_set(user=request.user, scheme=chosen)
        else:
            request.session[SESSION_KEY] = chosen.slug
        messages.success(request, f"You are now seeing {chosen.name}.")
        return redirect(back or request.path)
    postcode = request.user.postcode if request.user.is_authenticated else ""
    context = {
        "form": form,
        "current": current,
        "next": back,
        "postcode": postcode,
        "postcode_town": scheme_for_postcode(postcode) if postcode else None,
    }
    return render(request, "places/town.html", context)


def another_town(request: HttpRequest, scheme: Scheme, what: str) -> HttpResponse:
    """Not found on this town's board: says which town it is in, and offers to switch.
    Nothing of the thing itself is shown."""
    context = {"scheme": scheme, "what": what, "current": town_for(request)}
    return render(request, "places/another_town.html", context, status=404)


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted.startswith("/") and safe else ""
