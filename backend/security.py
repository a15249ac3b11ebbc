"""Content-Security-Policy and Permissions-Policy on every response.

Django 5.2 has no CSP of its own (6.0 does) and django-csp is not a dependency, so this is
one small middleware rather than a new package: the policy is a few fixed directives plus
what follows from the settings, and a test reads it back.

The policy is strict. Scripts and styles come only from this site (static/js, static/css):
the templates carry no inline <script>, no <style> block and no style="" attribute, so
neither needs 'unsafe-inline' or a nonce. Pages are never framed, forms post only here,
and plugins are off. The live socket (static/js/live.js) is allowed by its ws:// or wss://
origin as well as 'self', because older browsers do not count a WebSocket to the same
host as 'self'.

Stripe is allowed on the sponsor pay page only (STRIPE_PAGES), where the card element
runs: its script and frames from STRIPE_JS_URL's origin, its calls to STRIPE_API_BASE's.
Both follow the settings, so the demo and the tests, which point them at localstripe on
127.0.0.1, are covered as Stripe itself is in production. Every other page, the
sponsor's receipt included, allows no third party at all.

Permissions-Policy lets the camera be used only on the till (CAMERA_PAGES: the till and
the check it posts to, which shows the till again on a refused code; till.js scans QR
codes there) and geolocation only on the board (LOCATION_PAGES: its "Use my location",
static/js/site.js), by this site alone, never a frame, and not on their error pages.
Every other page has both off, and every page has the other well-known powerful features
off, payment included: the card element needs no Payment Request API.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

# URL names (namespace:name) of the pages that load Stripe.js.
STRIPE_PAGES = frozenset({"sponsor:pay"})

# Stripe's own documented hosts beside js.stripe.com: its frames' subdomains and the
# 3-D Secure pages. Added only when STRIPE_JS_URL is Stripe's.
STRIPE_FRAME_EXTRAS = ("https://*.js.stripe.com", "https://hooks.stripe.com")

# URL names of the pages that may ask for the camera, and for where the person is.
CAMERA_PAGES = frozenset({"shop:till", "shop:till_check"})
LOCATION_PAGES = frozenset({"board:search"})

# Off on every page.
FEATURES_OFF = ", ".join(
    [
        "microphone=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "hid=()",
        "midi=()",
        "magnetometer=()",
        "gyroscope=()",
        "accelerometer=()",
        "display-capture=()",
        "fullscreen=()",
        "interest-cohort=()",
        "browsing-topics=()",
    ]
)


def permissions_policy(view_name: str) -> str:
    """The Permissions-Policy for the page with this URL name ("" for no page)."""
    camera = "(self)" if view_name in CAMERA_PAGES else "()"
    geolocation = "(self)" if view_name in LOCATION_PAGES else "()"
    return f"camera={camera}, geolocation={geolocation}, {FEATURES_OFF}"


def origin_of(url: str) -> str:
    """scheme://host[:port] of an absolute URL; empty for anything else."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(request: HttpRequest, *, stripe: bool) -> str:
    """The policy for this request; `stripe` opens it to Stripe.js and Stripe's API."""
    scripts, frames, connect = ["'self'"], ["'none'"], ["'self'"]
    try:
        host = request.get_host()
    except DisallowedHost:  # answered with a 400 already; no socket to allow
        host = ""
    if host:
        connect.append(("wss://" if request.is_secure() else "ws://") + host)
    if stripe:
        js = origin_of(settings.STRIPE_JS_URL)
        api = origin_of(settings.STRIPE_API_BASE)
        if js:
            scripts.append(js)
            frames = [js, *(STRIPE_FRAME_EXTRAS if js == "https://js.stripe.com" else ())]
        if api and api not in connect:
            connect.append(api)
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(scripts),
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src " + " ".join(connect),
        "frame-src " + " ".join(frames),
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


class SecurityHeadersMiddleware(MiddlewareMixin):
    """Adds both policies to every response, static files and the service worker included
    (it sits above WhiteNoise in MIDDLEWARE). A header a view set itself is kept.
    MiddlewareMixin keeps it async under ASGI, with no thread hop per request."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        match = getattr(request, "resolver_match", None)
        view_name = match.view_name if match is not None else ""
        if "Content-Security-Policy" not in response:
            stripe = view_name in STRIPE_PAGES
            response["Content-Security-Policy"] = content_security_policy(request, stripe=stripe)
        if "Permissions-Policy" not in response:
            # An error page (another shop's till, say) has nothing to scan or locate.
            page = view_name if response.status_code < 400 else ""
            response["Permissions-Policy"] = permissions_policy(page)
        return response
