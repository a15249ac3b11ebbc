"""A resident's wallet: balance, statement and CSV, and giving coins away; in a scheme that
counts hours and gives no coins, the hours they gave in its place."""

import csv
import re
from collections.abc import Iterable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from accounts.http import AuthedHttpRequest
from coins.expiry import wallet_expiry
from coins.forms import GiveForm, parse_month
from coins.gifts import gift_send, gift_thanks
from coins.models import Account, Scheme
from coins.residence import home_scheme, wallet_chosen
from coins.selectors import (
    StatementLine,
    badges_of,
    hours_by_month,
    months_with_activity,
    places_of,
    statement,
    wallets_of,
)
from coins.services import LedgerError
from coins.spreadsheet import spreadsheet_cell
from coins.volunteering import HoursLine, volunteering

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def requested_wallet(request: AuthedHttpRequest) -> Account | None:
    """The wallet asked for (?scheme=slug), else the one in the person's own town."""
    return wallet_chosen(request.user, request.GET.get("scheme", ""))


def shows_hours(scheme: Scheme, wallet: Account | None) -> bool:
    """A participation-only scheme's page is the hours given, not coins: unless coins are
    left in the wallet from before the scheme stopped giving them."""
    return scheme.participation_only and (wallet is None or wallet.balance == 0)


def requested_place(
    request: AuthedHttpRequest, wallets: list[Account], places: list[Scheme]
) -> tuple[Scheme | None, Account | None]:
    """The scheme asked for (?scheme=slug), else the person's own town's, else the first
    with coins to show, and the person's wallet in it, if any. Wallets in a town they
    moved from stay theirs, one link away."""
    by_scheme = {wallet.scheme_id: wallet for wallet in wallets}
    wanted = request.GET.get("scheme", "")
    if wanted:
        scheme = next((s for s in places if s.slug == wanted), None)
    elif (home := home_scheme(request.user)) in places:
        scheme = home
    else:
        coins = [s for s in places if not shows_hours(s, by_scheme.get(s.pk))]
        scheme = next(iter(coins or places), None)
    return scheme, by_scheme.get(scheme.pk) if scheme else None


@login_required
def wallet(request: AuthedHttpRequest) -> HttpResponse:
    wallets = list(wallets_of(request.user))
    places = places_of(request.user, wallets)
    scheme, account = requested_place(request, wallets, places)
    others = [s for s in places if s != scheme]
    if scheme is not None and shows_hours(scheme, account):
        return _hours_page(request, scheme, others)
    month = parse_month(request.GET.get("month", ""))
    context = {
        "account": account,
        "others": others,
        "month": month,
        "months": months_with_activity(account) if account else [],
        "lines": statement(account, month) if account else [],
        "expiry": wallet_expiry(account) if account else None,
        "badges": badges_of(request.user),
    }
    return render(request, "coins/wallet.html", context)


def _hours_page(request: AuthedHttpRequest, scheme: Scheme, others: list[Scheme]) -> HttpResponse:
    lines = volunteering().hours(request.user, scheme.pk)
    context = {
        "scheme": scheme,
        "others": others,
        "minutes": sum(line.minutes for line in lines),
        "sessions": len(lines),
        "months": hours_by_month(lines),
        "badges": badges_of(request.user).filter(scheme=scheme),
    }
    return render(request, "coins/hours.html", context)


@login_required
def wallet_csv(request: AuthedHttpRequest) -> HttpResponse:
    account = requested_wallet(request)
    if account is None:
        raise Http404("You have no wallet yet.")
    month = parse_month(request.GET.get("month", ""))
    return statement_csv(statement(account, month), month)


@login_required
def hours_csv(request: AuthedHttpRequest) -> HttpResponse:
    """The person's own confirmed hours in a participation-only scheme, one row a session."""
    wallets = list(wallets_of(request.user))
    scheme, account = requested_place(request, wallets, places_of(request.user, wallets))
    if scheme is None or not shows_hours(scheme, account):
        raise Http404("This scheme shows coins, not hours.")
    return _hours_csv(volunteering().hours(request.user, scheme.pk), scheme)


@login_required
def give(request: AuthedHttpRequest) -> HttpResponse:
    account = requested_wallet(request)
    if account is None:
        messages.info(request, "You have no coins to give yet. Volunteer to earn some!")
        return redirect("coins:wallet")
    scheme = account.scheme
    form = GiveForm(
        request.POST if request.method == "POST" else None, scheme=scheme, sender=request.user
    )
    if request.method == "POST" and form.is_valid():
        group, email = form.group(), form.cleaned_data["email"]
        amount = form.cleaned_data["amount"]
        try:
            gift_send(
                scheme=scheme,
                sender=request.user,
                group=group,
                email=email,
                amount=amount,
                request_id=form.cleaned_data["request_id"],
            )
        except LedgerError as refused:
            form.add_error("amount", str(refused))
        else:
            said = gift_thanks(scheme=scheme, group=group, email=email, amount=amount)
            messages.success(request, said)
            return redirect("coins:wallet")
    return render(request, "coins/give.html", {"form": form, "account": account})


def statement_csv(lines: Iterable[StatementLine], month: date | None) -> HttpResponse:
    """The statement as a spreadsheet download; the API sends the same file."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"citizen-coin-statement{'-' + month.strftime('%Y-%m') if month else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(["date", "description", "coins", "balance after"])
    for line in lines:
        writer.writerow(
            [
                line.when.isoformat(timespec="seconds"),
                spreadsheet_cell(line.description),
                line.amount,
                line.balance_after,
            ]
        )
    return response


def _hours_csv(lines: Iterable[HoursLine], scheme: Scheme) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{scheme.slug}-hours.csv"'
    writer = csv.writer(response)
    writer.writerow(["date", "what", "minutes", "hours"])
    for line in lines:
        hours = f"{line.minutes / 60:.2f}".rstrip("0").rstrip(".")
        writer.writerow(
            [line.day.isoformat(), spreadsheet_cell(line.description), line.minutes, hours]
        )
    return response
