from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import DetailsForm
from accounts.http import AuthedHttpRequest


@login_required
def details(request: AuthedHttpRequest) -> HttpResponse:
    form = DetailsForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details are saved.")
        return redirect(request.GET.get("next") or "account_details")
    return render(request, "account/details.html", {"form": form})
