"""'Before your first shift': where the sign-up sends someone it cannot take yet, for
what it needs first (signups.details_needed): what to call them, their date of birth
where the shift or their age needs it, and, under 16, a parent or guardian's consent.
Saving the details tries the sign-up again, so the place is taken in the same tap.
Thin: the writes are accounts' (the person's own row, the consent) and signup_create."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import FirstShiftForm, GuardianEmailForm
from accounts.http import AuthedHttpRequest
from accounts.services import ConsentRefused, guardian_consent_request
from marketplace.board.models import Shift
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.signups import (
    BIRTH_DATE,
    GUARDIAN_CONSENT,
    NAME,
    DetailsNeeded,
    details_needed,
    signup_create,
)
from marketplace.board.views import signed_up

# What the page asks for each need, as the person's own fields.
FIELDS = {NAME: "display_name", BIRTH_DATE: "birth_date"}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def before_first_shift(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift.objects.select_related("opportunity__group"), pk=pk)
    user = request.user
    needs = details_needed(shift=shift, user=user)
    action = request.POST.get("action") if request.method == "POST" else None
    was_under_18 = user.is_under_18()
    asks = [FIELDS[need] for need in needs if need in FIELDS]
    details = FirstShiftForm(
        request.POST if action == "details" else None, instance=user, asks=asks
    )
    consent = user.latest_guardian_consent()
    asked = consent.guardian_email if consent and consent.is_pending else ""
    guardian = GuardianEmailForm(
        request.POST if action == "guardian" else None, initial={"guardian_email": asked}
    )
    if action == "details" and asks and details.is_valid():
        person = details.save(commit=False)
        person.start_private_if_newly_under_18(was_under_18=was_under_18)
        person.save(update_fields=[*details.fields, "share_name", "share_location"])
        return _sign_up(request, shift)
    wants_consent = GUARDIAN_CONSENT in needs and not asks
    if action == "guardian" and wants_consent and guardian.is_valid() and _ask(request, guardian):
        return redirect("board:before_first_shift", pk=shift.pk)
    context = {
        "shift": shift,
        "opportunity": shift.opportunity,
        "asks": asks,
        "details": details,
        "guardian": guardian,
        "needs_consent": wants_consent,
        "consent": consent,
        "ready": not needs,
    }
    return render(request, "board/first_shift.html", context)


def _ask(request: AuthedHttpRequest, guardian: GuardianEmailForm) -> bool:
    """E-mail the parent or guardian; a refusal becomes the field's error."""
    try:
        sent = guardian_consent_request(
            person=request.user,
            guardian_email=guardian.cleaned_data["guardian_email"],
            return_path=request.path,
        )
    except ConsentRefused as refused:
        guardian.add_error("guardian_email", str(refused))
        return False
    messages.success(
        request,
        f"We have emailed {sent.guardian_email}. Once they give their consent, "
        "come back here and sign up.",
    )
    return True


def _sign_up(request: AuthedHttpRequest, shift: Shift) -> HttpResponse:
    try:
        signup = signup_create(shift=shift, user=request.user)
    except DetailsNeeded as refused:
        messages.info(request, f"Thank you. {refused}")
        return redirect("board:before_first_shift", pk=shift.pk)
    except SignupRefused as refused:
        messages.error(request, str(refused))
        return redirect("board:opportunity", pk=shift.opportunity_id)
    return signed_up(request, signup)
