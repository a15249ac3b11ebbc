"""The wallet page, as JSON: balances, the statement and its CSV, and the groups one
can give coins to. Giving them (POST /wallet/gifts) is in marketplace/api.py, which
tells the recipient."""

from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from ninja import P, QueryEx, Router, Status

from accounts.http import AuthedHttpRequest
from accounts.models import User
from coins.forms import GiveForm, parse_month
from coins.models import Account, Scheme
from coins.schemas import (
    Problem,
    RecipientOut,
    SchemeOut,
    StatementLineOut,
    StatementOut,
    WalletOut,
)
from coins.selectors import StatementLine, statement, wallets_of
from coins.views import statement_csv

router = Router(tags=["wallet"])
PER_PAGE = 50
BAD_MONTH = "Give the month as YYYY-MM, such as 2026-11."
# A slug, so that nothing else (a NUL byte, say) ever reaches the database.
SchemeSlug = QueryEx[
    str | None,
    P(
        description="The scheme's slug; left out, my first wallet (as on the page).",
        pattern=r"^[-a-zA-Z0-9_]+$",
        max_length=50,
    ),
]
Month = QueryEx[str, P(description="YYYY-MM, such as 2026-11; left out, every month.")]
CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "The statement as on the page's download: date, description, "
            "coins, balance after.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


@router.get("/wallet", response=list[WalletOut], summary="My wallets and their balances")
def wallet_list(request: AuthedHttpRequest) -> list[WalletOut]:
    return [
        WalletOut(scheme=_scheme(a.scheme), balance=a.balance) for a in wallets_of(request.user)
    ]


@router.get(
    "/wallet/statement",
    response={200: StatementOut, 422: Problem},
    summary="My statement, newest first, with the balance after each line",
)
def wallet_statement(
    request: AuthedHttpRequest,
    scheme: SchemeSlug = None,
    month: Month = "",
    page: QueryEx[int, P(ge=1)] = 1,
) -> Status[Any]:
    try:
        wanted = _month(month)
    except ValueError:
        return Status(422, Problem(detail=BAD_MONTH, errors={"month": [BAD_MONTH]}))
    account = wallet_for_slug(request.user, scheme)
    lines = statement(account, wanted) if account else []
    shown = Paginator(lines, PER_PAGE).get_page(page)
    return Status(
        200,
        StatementOut(
            scheme=_scheme(account.scheme) if account else None,
            balance=account.balance if account else 0,
            month=wanted,
            count=shown.paginator.count,
            page=shown.number,
            pages=shown.paginator.num_pages,
            results=[_line(line) for line in shown.object_list],
        ),
    )


@router.get(
    "/wallet/statement.csv",
    response={422: Problem},
    summary="My statement as a spreadsheet (CSV), as the page downloads it",
    openapi_extra=CSV_RESPONSE,
)
def wallet_statement_csv(
    request: AuthedHttpRequest, scheme: SchemeSlug = None, month: Month = ""
) -> HttpResponse | Status[Any]:
    try:
        wanted = _month(month)
    except ValueError:
        return Status(422, Problem(detail=BAD_MONTH, errors={"month": [BAD_MONTH]}))
    account = wallet_for_slug(request.user, scheme)
    return statement_csv(statement(account, wanted) if account else [], wanted)


@router.get(
    "/wallet/recipients",
    response=list[RecipientOut],
    summary="The community groups I can give coins to",
)
def wallet_recipients(request: AuthedHttpRequest, scheme: SchemeSlug = None) -> list[RecipientOut]:
    account = wallet_for_slug(request.user, scheme)
    if account is None:
        return []
    # The form's own choices, so that the list is exactly what a gift accepts.
    form = GiveForm(scheme=account.scheme, sender=request.user)
    choices: list[tuple[str, str]] = form.fields["to"].choices  # type: ignore[attr-defined]
    return [RecipientOut(account=int(v), name=name) for v, name in choices if v.isdigit()]


def wallet_for_slug(user: User, scheme: str | None) -> Account | None:
    """The wallet asked for, or the person's first one, as on the wallet page."""
    wallets = wallets_of(user)
    if scheme:
        wallets = wallets.filter(scheme__slug=scheme)
    return wallets.first()


def _month(value: str) -> date | None:
    """'2026-11' -> 1 Nov 2026 and '' -> None (every month); ValueError for the rest.
    The page shows everything for a month it cannot read; an API should say so."""
    month = parse_month(value) if value else None  # raises ValueError for year 0000
    if value and month is None:
        raise ValueError(value)
    return month


def _scheme(scheme: Scheme) -> SchemeOut:
    return SchemeOut(slug=scheme.slug, name=scheme.name, coin_name=scheme.coin_name)


def _line(line: StatementLine) -> StatementLineOut:
    return StatementLineOut(
        when=line.when,
        description=line.description,
        amount=line.amount,
        balance_after=line.balance_after,
        transfer_id=line.transfer.pk,
        kind=line.transfer.kind,
    )
