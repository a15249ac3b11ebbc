"""Bring a friend: making an invite link, and the page the link opens, where the friend
takes a place on the same shift. Thin: the writes are services/invites.py."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedHttpRequest
from marketplace.board.invites import inviter_label
from marketplace.board.models import Invite, Shift, Signup
from marketplace.board.selectors import public_opportunities, shift_list_for, shifts_with_places
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.invites import invite_accept, invite_create
from marketplace.board.views import signed_up

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@login_required
@require_POST
def invite_new(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The "Invite a friend" button: the person's link to this shift or opportunity."""
    opportunity = get_object_or_404(public_opportunities(), pk=pk)
    shift = None
    raw = request.POST.get("shift", "")
    if raw:
        if not raw.isdigit():
            raise Http404("No such shift.")
        shift = get_object_or_404(Shift, pk=int(raw), opportunity=opportunity)
        if shift.is_cancelled or shift.start <= timezone.now():
            messages.error(request, "That shift is not taking sign-ups, so it has no invite link.")
            return redirect("board:opportunity", pk=opportunity.pk)
    invite = invite_create(user=request.user, opportunity=opportunity, shift=shift)
    return redirect("board:invite", token=invite.token)


@require_http_methods(["GET", "HEAD", "POST"])
def invite_page(request: HttpRequest, token: str) -> HttpResponse:
    """What the link opens. GET shows it (so a link preview takes no place); POST takes
    the place, for someone logged in."""
    # Only what token_urlsafe makes reaches the database: a forged one (a NUL byte, say)
    # is the same clear "not found" as a mistyped one.
    found = Invite.objects.select_related("inviter", "opportunity__group", "shift")
    invite = found.filter(token=token).first() if TOKEN_RE.fullmatch(token) else None
    if invite is None:
        return render(request, "board/invite_missing.html", status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(_entrance("account_signup", invite))
        return _accept(request, invite)  # type: ignore[arg-type]
    return render(request, "board/invite.html", _context(request, invite))


def _accept(request: AuthedHttpRequest, invite: Invite) -> HttpResponse:
    shift = None
    if invite.shift_id is None:
        raw = request.POST.get("shift", "")
        shift = (
            Shift.objects.filter(pk=int(raw), opportunity_id=invite.opportunity_id).first()
            if raw.isdigit()
            else None
        )
        if shift is None:
            messages.error(request, "Choose one of the shifts below to sign up to.")
            return redirect("board:invite", token=invite.token)
    try:
        signup = invite_accept(invite=invite, user=request.user, shift=shift)
    except SignupRefused as refused:
        messages.error(request, str(refused))
        return redirect("board:invite", token=invite.token)
    return signed_up(request, signup)


def _context(request: HttpRequest, invite: Invite) -> dict[str, object]:
    opportunity = invite.opportunity
    is_open = public_opportunities().filter(pk=opportunity.pk).exists()
    if invite.shift_id is not None:
        shifts = list(shifts_with_places().filter(pk=invite.shift_id))
    else:
        shifts = list(shift_list_for(opportunity))
    mine: dict[int, Signup] = {}
    if request.user.is_authenticated:
        mine = {
            s.shift_id: s
            for s in Signup.objects.filter(
                user=request.user, shift__in=shifts, status__in=Signup.ACTIVE
            )
        }
    now = timezone.now()
    for shift in shifts:
        shift.my_signup = mine.get(shift.pk)
        shift.started = shift.start <= now
    return {
        "invite": invite,
        "opportunity": opportunity,
        "is_open": is_open,
        "shifts": shifts,
        "inviter": inviter_label(invite.inviter),
        "is_mine": request.user.is_authenticated and request.user.pk == invite.inviter_id,
        "link": request.build_absolute_uri(reverse("board:invite", args=[invite.token])),
        "signup_url": _entrance("account_signup", invite),
        "login_url": _entrance("account_login", invite),
    }


def _entrance(name: str, invite: Invite) -> str:
    """Sign up or log in, then back to this invite."""
    back = reverse("board:invite", args=[invite.token])
    return f"{reverse(name)}?{urlencode({'next': back})}"
