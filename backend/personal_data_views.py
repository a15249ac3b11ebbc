"""A resident's own data as one file (UK GDPR access and portability), and deleting
their account (erasure), by themselves or by a council officer at their request. The
shell's pages, as they gather every app's part."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.http import AuthedHttpRequest
from accounts.models import User
from backend.account_deletion import CONFIRM_WORD, DeletionRefused, account_delete, may_erase
from backend.personal_data import PARTS, personal_data_of, refusals_of
from backend.personal_data_forms import CouncilEraseForm, DeleteForm, FindResidentForm
from backend.personal_data_zip import personal_data_zip
from coins.selectors import schemes_run_by
from coins.services import LedgerError

# The same for an address nobody has and for someone of another town.
NOT_OURS = "No resident of your town has joined with that e-mail address."


@login_required
@require_http_methods(["GET", "HEAD"])
def data_download(request: AuthedHttpRequest) -> HttpResponse:
    """Only ever the logged-in person's own data: no id is taken from the request."""
    made = timezone.localtime()
    data = personal_data_of(request.user, made=made)
    body = personal_data_zip(data, parts=[name for name, _ in PARTS])
    response = HttpResponse(body, content_type="application/zip")
    name = f"citizen-coin-my-data-{made:%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: AuthedHttpRequest) -> HttpResponse:
    refusals = refusals_of(request.user)
    data = request.POST if request.method == "POST" else None
    form = DeleteForm(data, user=request.user)
    if request.method == "POST" and not refusals and form.is_valid():
        try:
            account_delete(user=request.user, by=request.user, give_to=form.give_to())
        except (DeletionRefused, LedgerError) as refused:
            messages.error(request, str(refused))
            return redirect("account_delete")
        logout(request)
        return redirect("account_deleted")
    context = {"form": form, "refusals": refusals, "confirm_word": CONFIRM_WORD}
    return render(request, "account_delete.html", context)


def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "account_deleted.html")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def council_erase(request: AuthedHttpRequest) -> HttpResponse:
    """A council officer erases a resident's account at their request: find them by
    e-mail, then confirm with a reason. Only residents of the officer's own towns. Both
    steps are posted, so that the address stays out of URLs and their logs."""
    if not schemes_run_by(request.user).exists():
        raise PermissionDenied
    find = FindResidentForm(request.POST if request.method == "POST" else None)
    person = _resident_for(request.user, find) if find.is_valid() else None
    if find.is_valid() and person is None:
        find.add_error("email", NOT_OURS)
    erasing = person is not None and "confirm" in request.POST
    form = CouncilEraseForm(
        request.POST if erasing else None,
        user=person or request.user,
        initial={"email": person.email if person else ""},
    )
    refusals = refusals_of(person) if person else []
    if person and erasing and not refusals and form.is_valid():
        try:
            account_delete(
                user=person,
                by=request.user,
                give_to=form.give_to(),
                reason=form.cleaned_data["reason"],
            )
        except (DeletionRefused, LedgerError) as refused:
            messages.error(request, str(refused))
            return redirect("council_erase")
        said = f"The account is deleted (account {person.pk}), and the deletion is logged."
        messages.success(request, said)
        return redirect("council_erase")
    context = {"find": find, "person": person, "form": form, "refusals": refusals}
    return render(request, "council_erase.html", context)


def _resident_for(officer: User, find: FindResidentForm) -> User | None:
    person = User.objects.filter(email__iexact=find.cleaned_data["email"], is_active=True).first()
    if person is None or not may_erase(by=officer, user=person):
        return None
    return person
