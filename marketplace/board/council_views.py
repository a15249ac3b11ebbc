"""The council's queue of community groups waiting for verification."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from marketplace.board.models import CommunityGroup
from marketplace.board.services.groups import group_decide
from marketplace.organisations import verification_decision, verification_queue


@login_required
def group_queue(request: AuthedHttpRequest) -> HttpResponse:
    return verification_queue(request, CommunityGroup, "council/groups.html")


@login_required
@require_POST
def group_decision(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(CommunityGroup, pk=pk)
    decide = partial(group_decide, group=group)
    return verification_decision(
        request, group, decide, "marketplace.verify_group", "council:groups", "group"
    )
