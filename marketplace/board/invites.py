"""Reads for "bring a friend": how an invite names the two people, and who came through
a person's links. An under-18's name never reaches another volunteer."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from accounts.models import User
from marketplace.board.models import Signup


def inviter_label(inviter: User) -> str:
    """Who sent the link, as the friend sees it: the first name they gave, since they
    chose to share the link themselves; "A friend" for none, or for anyone under 18."""
    if inviter.is_under_18() or not inviter.display_name:
        return "A friend"
    return inviter.display_name


def friend_label(friend: User) -> str:
    """A friend who came through the link, as the inviter sees them: the name they share
    with other volunteers, never an under-18's."""
    return ("" if friend.is_under_18() else friend.public_name) or "a friend"


def friends_text(labels: list[str]) -> str:
    """ "Priya", "Priya and a friend", "Priya, Tom and 2 friends"."""
    named = [label for label in labels if label != "a friend"]
    unnamed = len(labels) - len(named)
    if unnamed:
        named.append("a friend" if unnamed == 1 else f"{unnamed} friends")
    if len(named) <= 1:
        return "".join(named)
    return f"{', '.join(named[:-1])} and {named[-1]}"


def friends_brought(*, user: User, shift_ids: Iterable[int]) -> dict[int, str]:
    """Shift id -> who signed up to it through this person's links, as text."""
    brought = (
        Signup.objects.filter(brought_by=user, shift_id__in=list(shift_ids))
        .filter(status__in=Signup.ACTIVE)
        .select_related("user")
        .order_by("created", "id")
    )
    labels: dict[int, list[str]] = defaultdict(list)
    for signup in brought:
        labels[signup.shift_id].append(friend_label(signup.user))
    return {shift_id: friends_text(names) for shift_id, names in labels.items()}


def with_invites(*, upcoming: list[Signup], user: User, now: datetime) -> list[Signup]:
    """My shifts' rows to come, marked for the page: who invited the person (`invited_by`),
    who came through their link (`friends`), and whether they can still invite anyone."""
    friends = friends_brought(user=user, shift_ids=[s.shift_id for s in upcoming])
    for signup in upcoming:
        row: Any = signup  # the marks are for the template, not fields of the model
        row.invited_by = inviter_label(signup.brought_by) if signup.brought_by else ""
        row.friends = friends.get(signup.shift_id, "")
        row.can_invite = signup.shift.start > now
    return upcoming
