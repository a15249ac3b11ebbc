"""A resident's wallet: balance, statement and CSV, and giving coins away."""

import csv
import re
from collections.abc import Iterable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from accounts.http import AuthedHttpRequest
from coins.forms import GiveForm, parse_month
from coins.models import Account
from coins.selectors import (
    StatementLine,
    badges_of,
    months_with_activity,
    statement,
    wallets_of,
)
from coins.services import LedgerError
from coins.spreadsheet import spreadsheet_cell
from coins.wallets import gift_give

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def requested_wallet(request: AuthedHttpRequest) -> Account | None:
    """The wallet asked for (?scheme=slug), or the person's first one."""
    wallets = wallets_of(request.user)
    wanted = request.GET.get("scheme", "")
    if wanted:
        # A slug or nothing: odd bytes never reach the database.
        wallets = wallets.filter(scheme__slug=wanted) if SLUG_RE.match(wanted) else wallets.none()
    return wallets.first()


@login_required
def wallet(request: AuthedHttpRequest) -> HttpResponse:
    account = requested_wallet(request)
    month = parse_month(request.GET.get("month", ""))
    context = {
        "account": account,
        "wallets": wallets_of(request.user),
        "month": month,
        "months": months_with_activity(account) if account else [],
        "lines": statement(account, month) if account else [],
        "badges": badges_of(request.user),
    }
    return render(request, "coins/wallet.html", context)


@login_required
def wallet_csv(request: AuthedHttpRequest) -> HttpResponse:
    account = requested_wallet(request)
    if account is None:
        raise Http404("You have no wallet yet.")
    month = parse_month(request.GET.get("month", ""))
    return statement_csv(statement(account, month), month)


@login_required
def give(request: AuthedHttpRequest) -> HttpResponse:
    account = requested_wallet(request)
    if account is None:
        messages.info(request, "You have no coins to give yet. Volunteer to earn some!")
        return redirect("coins:wallet")
    form = GiveForm(
        request.POST if request.method == "POST" else None,
        scheme=account.scheme,
        sender=request.user,
    )
    if request.method == "POST" and form.is_valid():
        to = form.recipient()
        memo = form.memo(to)
        try:
            gift_give(
                scheme=account.scheme,
                sender=request.user,
                to=to,
                amount=form.cleaned_data["amount"],
                key=f"give:{request.user.pk}:{form.cleaned_data['request_id']}",
                memo=memo,
            )
        except LedgerError as refused:
            form.add_error("amount", str(refused))
        else:
            messages.success(request, f"Thank you! {memo}: {form.cleaned_data['amount']} coins.")
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
