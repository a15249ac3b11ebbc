"""The board's pages for residents: search, an opportunity, signing up, My shifts, the
calendar, saved searches. Thin: every write is a service."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedHttpRequest
from marketplace.board.calendar import shifts_calendar
from marketplace.board.checkin import checkin_shift_id
from marketplace.board.forms import BoardSearchForm
from marketplace.board.invites import with_invites
from marketplace.board.models import CalendarFeed, SavedSearch, Shift, Signup
from marketplace.board.pathway import what_next_for_my_shifts
from marketplace.board.selectors import (
    BoardQuery,
    opportunity_search,
    public_opportunities,
    shift_list_for,
)
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.hours import hours_claim
from marketplace.board.services.opportunities import opportunities_roll
from marketplace.board.services.searches import saved_search_create
from marketplace.board.services.signups import (
    calendar_feed_renew,
    calendar_feed_revoke,
    signup_cancel,
    signup_check_in_self,
    signup_create,
)
from marketplace.organisations import NotAllowed

PER_PAGE = 20


def board(request: HttpRequest) -> HttpResponse:
    form = BoardSearchForm(request.GET or None)
    page = None
    saved = False
    if not form.is_bound or form.is_valid():
        wanted = form.board_query() if form.is_bound else BoardQuery()
        opportunities_roll()  # a no-op unless a shift began since the last roll
        page = Paginator(opportunity_search(wanted), PER_PAGE).get_page(request.GET.get("page"))
        if request.user.is_authenticated:
            filters = form.saved_data() if form.is_bound else {}
            saved = SavedSearch.objects.filter(user=request.user, query=filters).exists()
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "saved": saved}
    return render(request, "board/search.html", context)


@login_required
@require_POST
def saved_search_save(request: AuthedHttpRequest) -> HttpResponse:
    """The search page's "Save this search" button, which sends the filters shown."""
    filters = QueryDict(request.POST.get("query", ""))
    back = f"{reverse('board:search')}?{filters.urlencode()}"
    form = BoardSearchForm(filters)
    if not form.is_valid():
        messages.error(request, "These filters have a problem, so the search was not saved.")
        return redirect(back)
    try:
        saved_search_create(user=request.user, query=form.saved_data(), summary=form.summary())
    except NotAllowed as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Search saved. We'll tell you when something new matches it.")
    return redirect(back)


@login_required
def saved_searches(request: AuthedHttpRequest) -> HttpResponse:
    mine = SavedSearch.objects.filter(user=request.user)
    return render(request, "board/saved_searches.html", {"searches": mine})


@login_required
@require_POST
def saved_search_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    search.delete()
    messages.success(request, f"Deleted the saved search: {search.summary}.")
    return redirect("board:saved_searches")


def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(
        public_opportunities().select_related("group", "campaign"), pk=pk
    )
    shifts = list(shift_list_for(opportunity))
    mine: dict[int, Signup] = {}
    if request.user.is_authenticated:
        mine = {
            s.shift_id: s
            for s in Signup.objects.filter(
                user=request.user, shift__in=shifts, status__in=Signup.ACTIVE
            )
        }
    for shift in shifts:
        shift.my_signup = mine.get(shift.pk)
    return render(request, "board/opportunity.html", {"opportunity": opportunity, "shifts": shifts})


@login_required
@require_POST
def shift_signup(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift.objects.select_related("opportunity"), pk=pk)
    try:
        signup = signup_create(shift=shift, user=request.user)
    except SignupRefused as refused:
        messages.error(request, str(refused))
        return redirect("board:opportunity", pk=shift.opportunity_id)
    return signed_up(request, signup)


def signed_up(request: AuthedHttpRequest, signup: Signup) -> HttpResponse:
    """My shifts, saying whether they got a place or a place on the waiting list."""
    if signup.status == Signup.State.CONFIRMED:
        messages.success(request, f"You're going to {signup.shift.opportunity.title}.")
    else:
        messages.success(
            request,
            "That shift is full, so you're on the waiting list. "
            "We'll tell you the moment a place comes up.",
        )
    return redirect("board:my_shifts")


@login_required
def my_shifts(request: AuthedHttpRequest) -> HttpResponse:
    mine = (
        Signup.objects.filter(user=request.user)
        .exclude(status=Signup.State.CANCELLED)
        .select_related("shift__opportunity__group", "hours", "brought_by")
        .order_by("shift__start")
    )
    now = timezone.now()
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = (
        request.build_absolute_uri(reverse("board:calendar_feed_ics", args=[feed.token]))
        if feed
        else ""
    )
    return render(
        request,
        "board/my_shifts.html",
        {
            "feed_url": feed_url,
            "what_next": what_next_for_my_shifts(request.user),
            "upcoming": with_invites(
                upcoming=[s for s in mine if s.shift.end > now], user=request.user, now=now
            ),
            "past": [s for s in mine if s.shift.end <= now][::-1],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_shift_cancel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """GET asks first, so a stray tap or a link preview never gives a place away."""
    signup = get_object_or_404(
        Signup.objects.select_related("shift__opportunity"),
        pk=pk,
        user=request.user,
        status__in=Signup.ACTIVE,
    )
    if request.method != "POST":
        return render(request, "board/cancel.html", {"signup": signup})
    had_a_place = signup.status == Signup.State.CONFIRMED
    try:
        signup_cancel(signup=signup)
    except NotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("board:my_shifts")
    title = signup.shift.opportunity.title
    if had_a_place:
        messages.success(
            request, f"Your place on {title} is cancelled. It goes to the next person waiting."
        )
    else:
        messages.success(request, f"You're off the waiting list for {title}.")
    return redirect("board:my_shifts")


@login_required
def shift_ics(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    signup = get_object_or_404(
        Signup.objects.select_related("shift__opportunity__group"),
        shift_id=pk,
        user=request.user,
        status__in=Signup.ACTIVE,
    )
    body = shifts_calendar([signup.shift], name=signup.shift.opportunity.title)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="shift-{pk}.ics"'
    return response


@login_required
@require_POST
def calendar_feed(request: AuthedHttpRequest) -> HttpResponse:
    if request.POST.get("action") == "revoke":
        calendar_feed_revoke(user=request.user)
        messages.success(request, "Your calendar link is turned off.")
    else:
        calendar_feed_renew(user=request.user)
        messages.success(request, "Your private calendar link is ready. Keep it to yourself.")
    return redirect("board:my_shifts")


def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed a calendar app polls: no login, the secret address is the key."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    since = timezone.now() - timedelta(days=30)
    shifts = [
        s.shift
        for s in Signup.objects.filter(
            user=feed.user, status__in=Signup.ACTIVE, shift__end__gte=since
        ).select_related("shift__opportunity__group")
    ]
    body = shifts_calendar(shifts, name="My volunteering (Citizen Coin)")
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def my_hours_claim(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    signup = get_object_or_404(Signup.objects.select_related("shift"), pk=pk, user=request.user)
    try:
        minutes = int(request.POST.get("minutes", ""))
        hours_claim(signup=signup, minutes=minutes, by=request.user)
    except ValueError:
        messages.error(request, "Enter the minutes you gave as a whole number.")
    except NotAllowed as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Claim sent. The organiser will confirm it.")
    return redirect("board:my_shifts")


@login_required
def shift_check_in(request: AuthedHttpRequest, pk: int, token: str) -> HttpResponse:
    """Where a shift's QR code leads: a page with one button, so that a link preview
    or a stray prefetch never checks anyone in."""
    shift = get_object_or_404(Shift.objects.select_related("opportunity"), pk=pk)
    if checkin_shift_id(token) != shift.pk:
        messages.error(request, "That check-in code is not valid for this shift.")
        return redirect("board:my_shifts")
    if request.method == "POST":
        try:
            signup_check_in_self(shift=shift, user=request.user)
        except NotAllowed as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"You're checked in to {shift.opportunity.title}. Thank you!")
        return redirect("board:my_shifts")
    return render(request, "board/check_in.html", {"shift": shift})
