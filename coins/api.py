"""The wallet page, as JSON: balances, the statement and its CSV, the groups one can
give coins to, and giving them."""

from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from ninja import P, QueryEx, Router, Status

from accounts.http import AuthedHttpRequest
from accounts.models import User
from coins.forms import GiveForm, parse_month
from coins.gifts import gift_send
from coins.models import Account, Scheme
from coins.residence import wallet_chosen
from coins.schemas import (
    SLUG_PATTERN,
    GiftIn,
    GiftOut,
    Problem,
    RecipientOut,
    SchemeOut,
    StatementLineOut,
    StatementOut,
    WalletOut,
)
from coins.selectors import StatementLine, statement, wallets_of
from coins.services import LedgerError
from coins.views import statement_csv

router = Router(tags=["wallet"])
PER_PAGE = 50
BAD_MONTH = "Give the month as YYYY-MM, such as 2026-11."
INVALID = "Some of what was sent is not valid."
# A slug, so that nothing else (a NUL byte, say) ever reaches the database.
SchemeSlug = QueryEx[
    str | None,
    P(
        description="The scheme's slug; left out, my first wallet (as on the page).",
        pattern=SLUG_PATTERN,
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
    """The wallet asked for, else the one in the person's own town, as on the wallet page."""
    return wallet_chosen(user, scheme or "")


def _month(value: str) -> date | None:
    """'2026-11' -> 1 Nov 2026 and '' -> None (every month); ValueError for the rest.
    The page shows everything for a month it cannot read; an API should say so."""
    month = parse_month(value) if value else None  # raises ValueError for year 0000
    if value and month is None:
        raise ValueError(value)
    return month


def _scheme(scheme: Scheme) -> SchemeOut:
    return SchemeOut(
        slug=scheme.slug,
        name=scheme.name,
        coin_name=scheme.coin_name,
        coin_name_plural=scheme.coin_plural,
    )


def _line(line: StatementLine) -> StatementLineOut:
    return StatementLineOut(
        when=line.when,
        description=line.description,
        amount=line.amount,
        balance_after=line.balance_after,
        transfer_id=line.transfer.pk,
        kind=line.transfer.kind,
    )


NO_COINS = "You have no coins to give yet. Volunteer to earn some!"


EITHER = "Give to a group or to a resident's email address, not both."


@router.post(
    "/wallet/gifts",
    response={201: GiftOut, 409: Problem, 422: Problem},
    tags=["wallet"],
    summary="Give coins to a community group, or to another resident by email",
    description="A gift to an address nobody has joined with is held for 14 days for "
    "whoever joins with it, then given back; the answer is the same either way.",
)
def wallet_give(request: AuthedHttpRequest, body: GiftIn, scheme: SchemeSlug = None) -> Status[Any]:
    """The give page's form (422, with its messages) and service; the ledger refusing
    the gift as things stand (not enough coins, a request id used for another gift)
    is a conflict (409)."""
    account = wallet_for_slug(request.user, scheme)
    if account is None:
        return Status(409, Problem(detail=NO_COINS))
    if body.to_account is not None and body.email:
        return Status(422, Problem(detail=INVALID, errors={"to_account": [EITHER]}))
    form = GiveForm(_gift_form_data(body), scheme=account.scheme, sender=request.user)
    if not form.is_valid():
        return Status(422, _gift_problem(form))
    amount = form.cleaned_data["amount"]
    try:
        # As the page gives: a gift retried from either gives once, and a gift to an
        # address answers the same whether or not anyone has joined with it.
        transfer = gift_send(
            scheme=account.scheme,
            sender=request.user,
            group=form.group(),
            email=form.cleaned_data["email"],
            amount=amount,
            request_id=form.cleaned_data["request_id"],
        )
    except LedgerError as refused:
        return Status(409, Problem(detail=str(refused)))
    account.refresh_from_db(fields=["balance"])
    return Status(201, GiftOut(transfer_id=transfer.pk, amount=amount, balance=account.balance))


def _gift_form_data(body: GiftIn) -> dict[str, Any]:
    """As the page posts it: `to` is a group's account id, or "person" with an email."""
    to = body.to_account if body.to_account is not None else "person" if body.email else None
    return {"to": to, "email": body.email, "amount": body.amount, "request_id": body.request_id}


def _gift_problem(form: GiveForm) -> Problem:
    # The page's form calls the recipient `to`; the body calls it `to_account`.
    errors = {
        {"to": "to_account"}.get(field, field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }
    return Problem(detail=INVALID, errors=errors)
