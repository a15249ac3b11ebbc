"""The council's view of the ledger: any account, reversals with a reason, the audit trail,
settling shops, and the scheme's rules with the history of their changes."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from accounts.models import User
from coins.forms import ReversalForm, SchemeRulesForm
from coins.models import Account, AuditRecord, Payout, Scheme, SchemeChange, Transfer, owner_key
from coins.payouts import payout_paid
from coins.schemes import RULE_NAMES, scheme_rules_change
from coins.selectors import schemes_run_by, statement
from coins.services import LedgerError, transfer_reverse
from coins.settlement import scheme_settlement, settlement_run
from coins.templatetags.pounds import pounds


def _my_schemes(request: AuthedHttpRequest) -> QuerySet[Scheme]:
    if not (schemes := schemes_run_by(request.user)).exists():
        raise PermissionDenied
    return schemes


@login_required
def ledger(request: AuthedHttpRequest) -> HttpResponse:
    schemes = _my_schemes(request)
    accounts = (
        Account.objects.filter(scheme__in=schemes)
        .select_related("scheme")
        .prefetch_related("owner")  # one query per kind of owner, not one per row
    )
    query = request.GET.get("q", "").strip()
    if query:
        person = User.objects.filter(email__iexact=query).first()
        accounts = accounts.filter(**owner_key(person)) if person else accounts.none()
    page = Paginator(accounts.order_by("kind", "id"), 50).get_page(request.GET.get("page"))
    audit = AuditRecord.objects.filter(scheme__in=schemes).select_related("transfer")[:20]
    return render(
        request,
        "coins/council_ledger.html",
        {
            "page": page,
            "q": query,
            "query": urlencode({"q": query}) if query else "",
            "audit": audit,
            "searched": bool(query),
        },
    )


@login_required
def account_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk, scheme__in=_my_schemes(request))
    lines = statement(account)
    reversed_ids = set(
        Transfer.objects.filter(reverses__in=[line.transfer for line in lines]).values_list(
            "reverses_id", flat=True
        )
    )
    return render(
        request,
        "coins/council_account.html",
        {"account": account, "lines": lines, "reversed_ids": reversed_ids},
    )


@login_required
@require_POST
def transfer_reverse_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(Transfer, pk=pk, scheme__in=_my_schemes(request))
    back = request.POST.get("account", "")
    form = ReversalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for the reversal.")
    else:
        try:
            transfer_reverse(
                transfer=transfer,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                audit=True,
            )
        except LedgerError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request, f"Reversed. The reason is recorded: {form.cleaned_data['reason']}"
            )
    if back.isdigit():
        return redirect("ledger:account", pk=int(back))
    return redirect("ledger:ledger")


# Settlement: coins retailers took become GBP they are owed, then paid (docs/money.md).


@login_required
def settlement(request: AuthedHttpRequest) -> HttpResponse:
    schemes = _my_schemes(request).order_by("name")
    overviews = [scheme_settlement(scheme=scheme) for scheme in schemes]
    return render(request, "coins/council_settlement.html", {"overviews": overviews})


@login_required
@require_POST
def settlement_run_view(request: AuthedHttpRequest) -> HttpResponse:
    for scheme in _my_schemes(request).filter(coin_value_pence__isnull=False):
        run = settlement_run(scheme=scheme, today=timezone.localdate())
        pence = sum(s.pence for s in run.settled)
        said = f"{scheme.name}: settled {len(run.settled)} shop{pluralize(len(run.settled))}"
        said += f" for {pounds(pence)}, {len(run.payouts)} payout{pluralize(len(run.payouts))}"
        said += " requested."
        if run.owed_pence:
            said += f" The fund could not cover {pounds(run.owed_pence)}: still owed."
        messages.success(request, said)
    return redirect("ledger:settlement")


@login_required
@require_POST
def payout_paid_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    payout = get_object_or_404(Payout, pk=pk, scheme__in=_my_schemes(request))
    try:
        payout_paid(payout=payout, reference=request.POST.get("reference", ""), by=request.user)
    except LedgerError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Marked {pounds(payout.pence)} as paid.")
    return redirect("ledger:settlement")


# The scheme's rules, changed by its admins, with the history of every change.


@login_required
def scheme_rules(request: AuthedHttpRequest) -> HttpResponse:
    schemes = _my_schemes(request).order_by("name")
    scheme = schemes.filter(slug=request.GET.get("scheme", "")).first() or schemes.first()
    assert scheme is not None
    form = SchemeRulesForm(request.POST or None, instance=Scheme.objects.get(pk=scheme.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = scheme_rules_change(
                scheme=scheme,
                by=request.user,
                rules=form.rules(),
                reason=form.cleaned_data["reason"],
            )
        except LedgerError as refused:
            form.add_error(None, str(refused))
        else:
            said = (
                f"Saved {len(changes)} change{pluralize(len(changes))}."
                if changes
                else "Nothing changed."
            )
            messages.success(request, said)
            return redirect(f"{reverse('ledger:scheme')}?scheme={scheme.slug}")
    history = SchemeChange.objects.filter(scheme=scheme)[:100]
    actors = {u.pk: u for u in User.objects.filter(pk__in={c.actor_id for c in history})}
    return render(
        request,
        "coins/council_scheme.html",
        {
            "scheme": scheme,
            "schemes": schemes,
            "form": form,
            "history": [
                {
                    "change": c,
                    "by": actors.get(c.actor_id),
                    "label": RULE_NAMES.get(c.field, c.field),
                }
                for c in history
            ],
        },
    )
