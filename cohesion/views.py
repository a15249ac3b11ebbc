"""The pulse's pages, reached by the invite's token without logging in: the link in
the e-mail must work on a phone that is not logged in, so the token is the key."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cohesion.forms import CHANGED, PulseForm, question
from cohesion.models import PulseInvite
from cohesion.selectors import pulse_invite_found
from cohesion.services import PulseRefused, pulse_answer, pulse_skip

STEPS = 3


@never_cache
@require_http_methods(["GET", "POST"])
def pulse_ask(request: HttpRequest, token: str) -> HttpResponse:
    invite = pulse_invite_found(token)
    if invite is None:
        return render(request, "pulse/unknown.html", status=404)
    if invite.done_at is not None:
        return _closed(request, status=200 if request.method == "GET" else 409)
    if request.method == "GET":
        return _step(request, invite, 1, [])
    if request.POST.get("stop"):
        pulse_skip(invite=invite)
        return render(request, "pulse/skipped.html")
    form = PulseForm(request.POST)
    if not form.is_valid():
        return render(
            request, "pulse/changed.html", {"message": CHANGED, "invite": invite}, status=400
        )
    if form.answered < STEPS:
        return _step(request, invite, form.answered + 1, form.carried())
    met_new, met_different, score = form.answers()
    try:
        pulse_answer(invite=invite, met_new=met_new, met_different=met_different, score=score)
    except PulseRefused as refused:
        return _closed(request, status=409, message=str(refused))
    return redirect("pulse:thanks", token=invite.token)


def _step(
    request: HttpRequest, invite: PulseInvite, step: int, carried: list[tuple[str, str]]
) -> HttpResponse:
    name, words, answers = question(step, invite.item)
    return render(
        request,
        "pulse/ask.html",
        {
            "invite": invite,
            "step": step,
            "steps": STEPS,
            "name": name,
            "question": words,
            "answers": answers,
            "carried": carried,
        },
    )


def _closed(request: HttpRequest, *, status: int, message: str = "") -> HttpResponse:
    return render(request, "pulse/closed.html", {"message": message}, status=status)


@never_cache
@require_GET
def pulse_thanks(request: HttpRequest, token: str) -> HttpResponse:
    invite = pulse_invite_found(token)
    if invite is None:
        return render(request, "pulse/unknown.html", status=404)
    if invite.done_at is None:
        return redirect("pulse:ask", token=invite.token)
    return render(request, "pulse/thanks.html")
