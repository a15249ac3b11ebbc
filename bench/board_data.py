"""A town-sized opportunity board for the search benchmark: published opportunities
written from a small vocabulary (so full text and trigram have real words to match),
placed around the demo town's postcodes, each with one upcoming shift, some of them full."""

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from coins.models import Scheme
from marketplace.board.models import Cause, CommunityGroup, Opportunity, Shift, Signup, Skill
from marketplace.organisations import Status
from places.selectors import postcode_points

BATCH = 5_000
GROUPS = 40
VOLUNTEERS = 200
FULL_EVERY = 10  # one shift in ten is full, so "has free places" filters something

# (title, cause, skill, what the work is): about one in ten are about gardens, as on a
# real board, so "garden" finds a tenth of the board and the rest is noise around it.
ACTIVITIES = [
    ("Community gardening", Cause.ENVIRONMENT, Skill.GARDENING, "Weeding, planting and watering."),
    ("Garden makeover", Cause.ENVIRONMENT, Skill.GARDENING, "The beds and hedges need care."),
    ("Litter pick", Cause.ENVIRONMENT, Skill.NONE, "Bags, grabbers and gloves provided."),
    ("Tree planting", Cause.ENVIRONMENT, Skill.GARDENING, "Saplings go in before spring."),
    ("Food bank sorting", Cause.FOOD, Skill.NONE, "Sorting donated tins and packing parcels."),
    ("Community kitchen cooking", Cause.FOOD, Skill.COOKING, "Hot meals for forty people."),
    ("Befriending older neighbours", Cause.OLDER_PEOPLE, Skill.CARING, "A chat and a cuppa."),
    ("Driving to hospital appointments", Cause.HEALTH, Skill.DRIVING, "Mileage is paid."),
    ("Reading with children", Cause.CHILDREN, Skill.TEACHING, "Listening to young readers."),
    ("Homework club helper", Cause.CHILDREN, Skill.TEACHING, "Maths and spelling support."),
    ("Dog walking", Cause.ANIMALS, Skill.NONE, "Rescue dogs waiting for a home."),
    ("Animal shelter cleaning", Cause.ANIMALS, Skill.NONE, "Kennels, bowls and bedding."),
    ("Mural painting", Cause.ARTS, Skill.DIY, "Brightening the underpass walls."),
    ("Theatre front of house", Cause.ARTS, Skill.EVENTS, "Tickets, programmes and seats."),
    ("Junior football coaching", Cause.SPORT, Skill.TEACHING, "Training for the under-11s."),
    ("Parkrun marshal", Cause.SPORT, Skill.EVENTS, "Cheering runners round the course."),
    ("English conversation club", Cause.REFUGEES, Skill.LANGUAGES, "Everyday talk over tea."),
    ("Welcome desk for newcomers", Cause.REFUGEES, Skill.LANGUAGES, "Forms, maps and advice."),
    ("Repair cafe fixing", Cause.COMMUNITY, Skill.DIY, "Toasters, bikes and jumpers mended."),
    ("Digital help drop-in", Cause.COMMUNITY, Skill.ADMIN, "Phones, email and online forms."),
]
PLACES = [
    "at the library",
    "in the park",
    "by the canal",
    "at the community centre",
    "on the high street",
    "at St Mary's church hall",
    "at the allotments",
    "at the primary school",
    "in the market square",
    "at the leisure centre",
]
SENTENCES = [
    "No experience needed: we will show you everything on the day.",
    "Tea, coffee and biscuits provided, and a warm welcome.",
    "Bring sturdy shoes and clothes you do not mind getting muddy.",
    "A friendly team of neighbours who meet every week.",
    "Gloves, tools and hi-vis vests are provided.",
    "You will help people who would otherwise be on their own.",
    "Great for anyone wanting to learn new skills and meet people.",
    "Accessible toilets and step-free entrance on site.",
    "Under-18s are welcome with a parent or guardian.",
    "We work in pairs, so you will never be alone.",
    "Help us keep the town clean, green and welcoming.",
]


def generate(count: int, *, seed: int = 2026) -> None:
    """Write `count` published opportunities with one shift each, and the sign-ups that
    fill every tenth shift."""
    rng = random.Random(seed)  # noqa: S311 -- repeatable test data, not secrets
    scheme = Scheme.objects.create(name="Benchford", slug="benchford")
    groups = CommunityGroup.objects.bulk_create(
        CommunityGroup(scheme=scheme, name=f"Group {n}", slug=f"group-{n}", status=Status.VERIFIED)
        for n in range(GROUPS)
    )
    volunteers = User.objects.bulk_create(_volunteer(n) for n in range(VOLUNTEERS))
    points = list(postcode_points().values())
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with board_indexes_built_after():
        for first in range(0, count, BATCH):
            size = min(BATCH, count - first)
            opportunities = [_opportunity(rng, scheme, groups, points) for _ in range(size)]
            copy_into(Opportunity, opportunities)
            shifts = [
                _shift(rng, o, now, full=n % FULL_EVERY == 0) for n, o in enumerate(opportunities)
            ]
            copy_into(Shift, shifts)
            full = [shift for shift in shifts if shift.capacity == 1]
            copy_into(Signup, [_signup(rng, shift, volunteers) for shift in full])
    with connection.cursor() as cursor:
        # What autovacuum would do for a board this size, so the planner knows it.
        cursor.execute("VACUUM ANALYZE")


def copy_into(model: type[Model], objects: Sequence[Model]) -> None:
    """Write unsaved `objects` with COPY, ten times quicker than bulk_create's INSERT.
    Ids come from the table's own sequence first, so rows pointing at these can follow;
    values go through each field's own preparation (defaults, auto_now_add, arrays,
    JSON), as bulk_create's would; generated columns are the database's to fill."""
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.generated]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per value
    with db.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for obj in objects:
            copy.write_row(
                [field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields]
            )


@contextmanager
def board_indexes_built_after() -> Iterator[None]:
    """Drop the board's indexes while writing and build them afterwards from the same
    definitions the migrations use: quicker than updating two GIN indexes row by row,
    and they come out as a settled board's would after VACUUM."""
    indexes = Opportunity._meta.indexes
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(Opportunity, index)
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '128MB'")
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(Opportunity, index)


def _opportunity(
    rng: random.Random,
    scheme: Scheme,
    groups: list[CommunityGroup],
    points: list[tuple[float, float]],
) -> Opportunity:
    stem, cause, skill, work = rng.choice(ACTIVITIES)
    latitude, longitude = rng.choice(points)
    return Opportunity(
        scheme=scheme,
        group=rng.choice(groups),
        status=Opportunity.State.PUBLISHED,
        title=f"{stem} {rng.choice(PLACES)}",
        description=" ".join([work, *rng.sample(SENTENCES, 2)]),
        causes=[cause] if rng.random() < 0.8 else [cause, rng.choice(Cause.values)],
        skills=[skill],
        # About half a mile around the postcode's centre.
        latitude=latitude + rng.gauss(0, 0.006),
        longitude=longitude + rng.gauss(0, 0.01),
        step_free=rng.random() < 0.4,
        dbs_required=rng.random() < 0.2,
        minimum_age=rng.choice([13, 16, 18]),
    )


def _shift(rng: random.Random, opportunity: Opportunity, now: datetime, *, full: bool) -> Shift:
    start = now + timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 10))
    return Shift(
        opportunity=opportunity,
        start=start,
        end=start + timedelta(hours=3),
        capacity=1 if full else rng.randint(2, 12),
    )


def _volunteer(n: int) -> User:
    user = User(email=f"volunteer{n}@bench.localhost")
    user.set_unusable_password()
    return user


def _signup(rng: random.Random, shift: Shift, volunteers: list[User]) -> Signup:
    return Signup(shift=shift, user=rng.choice(volunteers), status=Signup.State.CONFIRMED)
