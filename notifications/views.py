"""The notification centre, choices, one-click unsubscribe and web-push subscriptions."""

import base64
import binascii
import json
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedHttpRequest
from accounts.models import User
from notifications.kinds import KINDS, Channels, kind_for
from notifications.mail import unsubscribe_read
from notifications.push import push_offered
from notifications.selectors import preference_sections, preferences_of
from notifications.services import (
    notifications_mark_read,
    preference_email_off,
    preferences_save,
    push_subscription_delete,
    push_subscription_save,
)


@login_required
def notification_list(request: AuthedHttpRequest) -> HttpResponse:
    notes = request.user.notifications.filter(in_page=True)
    page = Paginator(notes, 20).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, **_push_context()})


def _push_context() -> dict[str, Any]:
    """What push.js needs; no key means the page offers no push button at all."""
    if not push_offered():
        return {}
    return {
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        "push_subscribe_url": reverse("notifications:push_subscribe"),
        "push_unsubscribe_url": reverse("notifications:push_unsubscribe"),
    }


@login_required
@require_POST
def notification_mark_read(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    notifications_mark_read(user=request.user, ids=[pk])
    page = request.POST.get("page", "")
    url = reverse("notifications:list")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@login_required
@require_POST
def notification_mark_all_read(request: AuthedHttpRequest) -> HttpResponse:
    changed = notifications_mark_read(user=request.user)
    messages.success(request, f"Marked {changed} notification{'s' if changed != 1 else ''} read.")
    return redirect("notifications:list")


@login_required
def preferences(request: AuthedHttpRequest) -> HttpResponse:
    offered = push_offered()
    if request.method == "POST":
        current = preferences_of(user=request.user)
        ticked = set(request.POST.keys())
        chosen = {
            key: Channels(
                in_page=f"{key}.in_page" in ticked,
                email=f"{key}.email" in ticked,
                # Without push on offer there is no box: keep what was chosen before.
                push=f"{key}.push" in ticked if offered else current[key].push,
            )
            for key in KINDS
        }
        preferences_save(user=request.user, chosen=chosen)
        messages.success(request, "Your choices are saved.")
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "sections": preference_sections(user=request.user),
            "push_offered": offered,
            "has_phone": offered and request.user.push_subscriptions.exists(),
        },
    )


# The signed token is the credential, and mail clients' one-click unsubscribe (RFC 8058)
# POSTs without a CSRF token. GET only shows a button, so that link scanners change nothing.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = unsubscribe_read(token)
    user = User.objects.filter(pk=found[0]).first() if found else None
    if found is None or user is None:
        return render(request, "notifications/unsubscribe_bad.html", status=400)
    kind = kind_for(found[1])
    if request.method == "POST":
        preference_email_off(user=user, kind=kind.key)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"kind": kind, "done": request.method == "POST"},
    )


BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


class BadSubscription(ValueError):
    pass


def _key(value: object, size: int, name: str) -> str:
    """A base64url key of the size browsers give (p256dh 65 bytes, auth 16)."""
    if not isinstance(value, str) or not BASE64URL.fullmatch(value):
        raise BadSubscription(f"keys.{name} must be a base64url string.")
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise BadSubscription(f"keys.{name} is not valid base64url.") from error
    if len(decoded) != size:
        raise BadSubscription(f"keys.{name} must be {size} bytes.")
    return value


def _endpoint(data: object) -> str:
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str) or len(endpoint) > 1000:
        raise BadSubscription("endpoint must be the push service's https:// URL.")
    try:
        URLValidator(schemes=["https"])(endpoint)
    except ValidationError as error:
        raise BadSubscription("endpoint must be the push service's https:// URL.") from error
    return endpoint


def _json(request: HttpRequest) -> object:
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadSubscription("Send the subscription as JSON.") from error


def _refused(request: HttpRequest) -> JsonResponse | None:
    """JSON answers for the push endpoints, not the login page's redirect."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Log in first."}, status=401)
    if not push_offered():
        return JsonResponse({"detail": "Phone notifications are not offered here."}, status=404)
    return None


@require_POST
def push_subscribe(request: AuthedHttpRequest) -> JsonResponse:
    """The body is the browser's PushSubscription.toJSON()."""
    if refused := _refused(request):
        return refused
    try:
        data = _json(request)
        endpoint = _endpoint(data)
        keys = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(keys, dict):
            raise BadSubscription("keys must hold p256dh and auth.")
        p256dh, auth = _key(keys.get("p256dh"), 65, "p256dh"), _key(keys.get("auth"), 16, "auth")
    except BadSubscription as error:
        return JsonResponse({"detail": str(error)}, status=400)
    push_subscription_save(user=request.user, endpoint=endpoint, p256dh=p256dh, auth=auth)
    return JsonResponse({"subscribed": True}, status=201)


@require_POST
def push_unsubscribe(request: AuthedHttpRequest) -> JsonResponse:
    if refused := _refused(request):
        return refused
    try:
        endpoint = _endpoint(_json(request))
    except BadSubscription as error:
        return JsonResponse({"detail": str(error)}, status=400)
    removed = push_subscription_delete(user=request.user, endpoint=endpoint)
    return JsonResponse({"removed": removed})
