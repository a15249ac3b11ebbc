"""Giving coins away, from the wallet. It lives here rather than in coins/ because the
recipient is told (gift_give), and coins/ knows nobody to tell."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.http import AuthedHttpRequest
from coins.forms import GiveForm
from coins.services import LedgerError
from coins.views import requested_wallet
from marketplace.services.wallets import gift_give


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
