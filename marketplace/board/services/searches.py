"""Saved searches: a resident keeps the search page's filters and is told, once, about
each newly published opportunity that matches any of them.

Publishing queues a fan-out after commit; it splits the saved searches into chunks, one
task each. A chunk claims (person, opportunity) rows with INSERT ... ON CONFLICT DO
NOTHING and notifies only the people whose row it inserted, so several matching
searches, overlapping chunks or a second run never tell anyone twice."""

import json
from collections.abc import Iterator

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins.residence import residents_of
from marketplace.board.forms import board_query_from
from marketplace.board.models import Opportunity, SavedSearch, SavedSearchMatch
from marketplace.board.selectors import opportunity_search
from marketplace.board.services.common import shift_when
from marketplace.organisations import NotAllowed
from notifications.services import headline, notify

MOST_PER_PERSON = 20
CHUNK = 500


def saved_search_create(*, user: User, query: dict[str, str], summary: str) -> SavedSearch:
    """Keep a search; the same filters saved again return the search already kept."""
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).get(pk=user.pk)  # counted under a lock
        mine = SavedSearch.objects.filter(user=user)
        existing = mine.filter(query=query).first()
        if existing is not None:
            return existing
        if mine.count() >= MOST_PER_PERSON:
            raise NotAllowed(
                f"You can keep up to {MOST_PER_PERSON} saved searches. "
                "Delete one you no longer need, then save this one."
            )
        return SavedSearch.objects.create(user=user, query=query, summary=summary[:300])


def saved_search_chunks(*, size: int = CHUNK) -> Iterator[list[int]]:
    """The ids of every active person's saved searches, in chunks for the fan-out."""
    ids = SavedSearch.objects.filter(user__is_active=True).order_by("pk")
    chunk: list[int] = []
    for pk in ids.values_list("pk", flat=True).iterator(chunk_size=size):
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def saved_searches_match(*, opportunity_id: int, search_ids: list[int]) -> int:
    """Tell the owners of these searches about the opportunity where one matches it;
    returns how many people were told (0 for those told before)."""
    found = Opportunity.objects.select_related("group", "scheme")
    opportunity = found.filter(pk=opportunity_id).first()
    if opportunity is None:
        return 0
    matched: dict[str, bool] = {}  # many people save the same filters: ask once each
    people: set[int] = set()
    searches = SavedSearch.objects.filter(pk__in=search_ids, user__is_active=True).filter(
        user__in=User.objects.filter(residents_of(opportunity.scheme))  # its town's only
    )
    for search in searches.only("user_id", "query"):
        if search.user_id in people:
            continue
        key = json.dumps(search.query, sort_keys=True)
        if key not in matched:
            matched[key] = _matches(search.query, opportunity_id)
        if matched[key]:
            people.add(search.user_id)
    if not people:
        return 0
    with transaction.atomic():
        told = _claim(people, opportunity_id)
        _tell(opportunity, list(User.objects.filter(pk__in=told)))
    return len(told)


def _matches(query: dict[str, str], opportunity_id: int) -> bool:
    wanted = board_query_from(query)
    return wanted is not None and opportunity_search(wanted).filter(pk=opportunity_id).exists()


def _claim(user_ids: set[int], opportunity_id: int) -> list[int]:
    """Insert a row per person not yet told; returns those inserted. (The ORM's
    bulk_create with ignore_conflicts cannot say which rows it inserted.)"""
    table = connection.ops.quote_name(SavedSearchMatch._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, opportunity_id, created) "
            "SELECT unnest(%s::bigint[]), %s, now() "
            "ON CONFLICT (user_id, opportunity_id) DO NOTHING RETURNING user_id",
            [sorted(user_ids), opportunity_id],
        )
        return [row[0] for row in cursor.fetchall()]


def _tell(opportunity: Opportunity, people: list[User]) -> None:
    upcoming = opportunity.shifts.filter(cancelled_at__isnull=True, start__gt=timezone.now())
    first = upcoming.order_by("start").first()
    body = f"{opportunity.group.name} posted something that matches a search you saved."
    if first is not None:
        body += f" First shift: {shift_when(first.start)}."
    notify(
        recipients=people,
        kind="saved_search_match",
        title=headline(f"New: {opportunity.title}"),
        body=body,
        url=reverse("board:opportunity", args=[opportunity.pk]),
    )
