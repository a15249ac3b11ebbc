"""The home page, the page for a form sent without its security token and, outside
production, uploaded media."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.static import serve


def home(request: HttpRequest) -> HttpResponse:
    """A welcome for visitors; for a signed-in person, what they can do from here."""
    template = "home.html" if request.user.is_authenticated else "welcome.html"
    return render(request, template)


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded photos, outside production (where the proxy serves them)."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (CSRF_FAILURE_VIEW): most often a page left
    open for hours, or a browser that refuses this site's cookies. Django's own page says
    only "CSRF verification failed"; this one says what to do."""
    return render(request, "403_csrf.html", status=403)
