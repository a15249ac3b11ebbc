from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """A welcome for visitors; for a signed-in person, what they can do from here."""
    template = "home.html" if request.user.is_authenticated else "welcome.html"
    return render(request, template)
