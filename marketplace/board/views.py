"""The board's pages for residents: search, an opportunity, signing up, My shifts, the
calendar, saved searches. Thin: every write is a service."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedHttpRequest
from marketplace.board.calendar import shifts_calendar
from marketplace.board.checkin import checkin_shift_id
from marketplace.board.forms import BoardSearchForm, board_query_string, search_near_home
from marketplace.board.hours_forms import TimeGivenForm
from marketplace.board.invites import with_invites
from marketplace.board.models import CalendarFeed, SavedSearch, Shift, Signup
from marketplace.board.paging import BoardPaginator
from marketplace.board.pathway import what_next_for_my_shifts
from marketplace.board.selectors import (
    BoardQuery,
    opportunity_search,
    public_opportunities,
    shift_list_for,
)
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.hours import hours_claim
from marketplace.board.services.searches import saved_search_create
from marketplace.board.services.signups import (
    DetailsNeeded,
    calendar_feed_renew,
    calendar_feed_revoke,
    signup_cancel,
    signup_check_in_self,
    signup_create,
)
from marketplace.organisations import NotAllowed
from places.town_views import another_town
from places.towns import elsewhere, town_shown

PER_PAGE = 20


def board(request: HttpRequest) -> HttpResponse:
    """The search. Once searched, the form folds into a line saying what was asked, so
    the results start near the top of a phone's screen."""
    home = request.user.postcode if request.user.is_authenticated else ""
    near_home = search_near_home(request.GET, home)
    sent = near_home if near_home is not None else request.GET
    form = BoardSearchForm(sent or None)
    page = None
    saved = False
    town = town_shown(request)  # one town's board; none until a visitor says which
    if (not form.is_bound or form.is_valid()) and not town.ask:
        wanted = form.board_query() if form.is_bound else BoardQuery()
        found = opportunity_search(wanted, scheme_id=town.scheme_id)
        asked = sent.get("page")
        page = BoardPaginator(found, PER_PAGE, asked=asked).get_page(asked)
        if request.user.is_authenticated:
            filters = form.saved_data() if form.is_bound else {}
            saved = SavedSearch.objects.filter(user=request.user, query=filters).exists()
    searched = form.is_bound and not form.errors
    query = sent.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "back": sent.urlencode(),  # carried to each opportunity, for its "Back" link
        "saved": saved,
        "searched": searched,
        "summary": form.summary(home=near_home is not None) if searched else "",
        "town": town,
    }
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
        public_opportunities().select_related("group", "campaign", "scheme"), pk=pk
    )
    if elsewhere(request, opportunity.scheme) and not _going(request, opportunity.pk):
        return another_town(request, opportunity.scheme, "opportunity")
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
    back = board_query_string(request.GET.get("back", ""))
    context = {
        "opportunity": opportunity,
        "shifts": shifts,
        "back": f"{reverse('board:search')}?{back}" if back else reverse("board:search"),
    }
    return render(request, "board/opportunity.html", context)


def _going(request: HttpRequest, opportunity_id: int) -> bool:
    """Whether the person has a place (or is waiting) on one of its shifts: a shift in
    the town they lived in before they moved stays theirs to see."""
    return request.user.is_authenticated and (
        Signup.objects.filter(
            user=request.user, shift__opportunity_id=opportunity_id, status__in=Signup.ACTIVE
        ).exists()
    )


@login_required
@require_POST
def shift_signup(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift.objects.select_related("opportunity"), pk=pk)
    try:
        signup = signup_create(shift=shift, user=request.user)
    except DetailsNeeded as refused:  # a name, a date of birth, a guardian's consent
        messages.error(request, str(refused))
        return redirect("board:before_first_shift", pk=shift.pk)
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
            "past": _with_claim_forms([s for s in mine if s.shift.end <= now][::-1]),
        },
    )


def _with_claim_forms(past: list[Signup]) -> list[Signup]:
    """Each past shift's claim fields, filled in with the shift's length."""
    for signup in past:
        signup.claim_form = TimeGivenForm(  # type: ignore[attr-defined]
            auto_id=f"claim-{signup.pk}-%s",
            initial=TimeGivenForm.initial_for(signup.shift.length_minutes),
        )
    return past


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
    """A shift the person has a place on (a place on the waiting list is not one)."""
    signup = get_object_or_404(
        Signup.objects.select_related("shift__opportunity__group"),
        shift_id=pk,
        user=request.user,
        status=Signup.State.CONFIRMED,
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
    """The feed a calendar app polls: no login, the secret address is the key. Only the
    shifts the person has a place on: a waiting list is not a plan."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    since = timezone.now() - timedelta(days=30)
    shifts = [
        s.shift
        for s in Signup.objects.filter(
            user=feed.user, status=Signup.State.CONFIRMED, shift__end__gte=since
        ).select_related("shift__opportunity__group")
    ]
    body = shifts_calendar(shifts, name="My volunteering (Citizen Coin)")
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def my_hours_claim(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    signup = get_object_or_404(Signup.objects.select_related("shift"), pk=pk, user=request.user)
    form = TimeGivenForm(request.POST)
    if not form.is_valid():
        for problem in form.problems():
            messages.error(request, problem)
        return redirect("board:my_shifts")
    try:
        hours_claim(signup=signup, minutes=form.total_minutes(), by=request.user)
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
    mine = Signup.objects.filter(shift=shift, user=request.user, status__in=Signup.ACTIVE).first()
    return render(request, "board/check_in.html", {"shift": shift, "signup": mine})
