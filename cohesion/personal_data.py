"""The pulse questions offered to the person, in the download of their data, and their
erasure. Pulse answers are stored with no link to anyone, so they cannot be found, given
or deleted for one person."""

from typing import Any

from accounts.models import User
from cohesion.models import PulseInvite

ANSWERS_NOTE = (
    "Your answers to pulse questions are stored without any link to you (only the town, "
    "month and ward), so we cannot tell which ones are yours."
)


def personal_data(user: User) -> dict[str, Any]:
    return {
        "pulse_questions_offered": [
            {
                "town": invite.scheme.name,
                "question": invite.get_item_display(),
                "offered": invite.created,
                "answered_or_skipped_at": invite.done_at,
            }
            for invite in PulseInvite.objects.filter(user=user)
            .select_related("scheme")
            .order_by("pk")
        ],
        "pulse_answers": ANSWERS_NOTE,
    }


def personal_data_erase(*, user: User) -> None:
    PulseInvite.objects.filter(user=user).delete()
