"""What next: a few opportunities to try after someone's first volunteering."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthedHttpRequest
from marketplace.board.pathway import first_volunteered, what_next

ON_THE_PAGE = 6


@login_required
def what_next_view(request: AuthedHttpRequest) -> HttpResponse:
    suggestions = what_next(request.user, limit=ON_THE_PAGE)
    context = {
        "suggestions": suggestions,
        "volunteered": bool(suggestions) or first_volunteered(request.user) is not None,
    }
    return render(request, "board/what_next.html", context)
