"""The pieces that let a phone keep Citizen Coin like an app: the web app manifest, the
service worker (an offline page, and web push), and the offline page itself."""

import hashlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

THEME = "#0b5c3f"


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    # The artwork keeps to the middle 80%, so Android may crop it to its own shape.
    icons.append({**icons[-1], "purpose": "maskable"})
    return JsonResponse(
        {
            "name": "Citizen Coin",
            "short_name": "Citizen Coin",
            "description": "Give your time, earn coins, spend them in local shops.",
            "lang": "en-GB",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": THEME,
            "icons": icons,
        },
        content_type="application/manifest+json",
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from the root (not /static/) so that its scope is the whole site."""
    offline = reverse("offline")
    css = static("css/site.css")
    # A new CSS file or offline page gives a new cache name, so the worker refetches both.
    version = hashlib.sha256((css + _offline_html()).encode()).hexdigest()[:12]
    body = render_to_string(
        "sw.js",
        {
            "version": version,
            "offline_url": offline,
            "css_url": css,
            "icon_url": static("img/icon-192.png"),
        },
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on each visit; let them see it at once.
    response["Cache-Control"] = "no-cache"
    return response


def _offline_html() -> str:
    return render_to_string("offline.html")


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows when a page cannot load. The same for everyone
    (nothing personal is cached), so it stands alone rather than extending base.html."""
    return render(request, "offline.html")
