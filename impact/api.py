"""The council's figures as JSON, for its own tools: the dashboard's tables, suppressed
exactly as on the page. Only a scheme's admins may read them."""

from typing import Any

from ninja import Query, Router, Status

from accounts.http import AuthedHttpRequest
from coins.models import Scheme
from coins.schemas import Problem
from impact.cohesion import cohesion_tables
from impact.forms import ImpactForm
from impact.schemas import ImpactColumnOut, ImpactFilters, ImpactMonthOut, ImpactOut, ImpactTableOut
from impact.selectors import rollup_of
from impact.tables import Table, impact_tables
from impact.views import NOT_COUNTED
from places.models import Ward

router = Router(tags=["impact"])
COUNCIL_ONLY = "Only a scheme's admins can see its figures."
UNITS = {"hours": "minutes", "£": "pence", "%": "percent"}


@router.get(
    "/impact/months",
    response={200: ImpactOut, 403: Problem, 422: Problem, 503: Problem},
    summary="The dashboard's figures month by month, small counts of people suppressed",
)
def impact_months(request: AuthedHttpRequest, filters: Query[ImpactFilters]) -> Status[Any]:
    schemes = Scheme.objects.filter(admin_memberships__user=request.user).order_by("name")
    if not schemes.exists():
        return Status(403, Problem(detail=COUNCIL_ONLY))
    scheme = schemes.filter(slug=filters.scheme).first() if filters.scheme else schemes.first()
    if scheme is None:
        return Status(403, Problem(detail=COUNCIL_ONLY))
    ward = Ward.objects.filter(code=filters.ward, scheme=scheme).first() if filters.ward else None
    if filters.ward and ward is None:
        return _invalid({"ward": ["There is no ward with that code in this scheme."]})
    data = {"scheme": scheme.pk, "first": filters.first or "", "last": filters.last or ""}
    data |= {"ward": ward.pk if ward else "", "cause": filters.cause or ""}
    form = ImpactForm(data, schemes=schemes)
    if not form.is_valid():
        return _invalid({f: [str(e) for e in errors] for f, errors in form.errors.items()})
    chosen = form.filters()
    counted = rollup_of(scheme)
    if counted is None:
        return Status(503, Problem(detail=NOT_COUNTED))
    return Status(
        200,
        ImpactOut(
            scheme=scheme.slug,
            first=chosen.first,
            last=chosen.last,
            ward=ward.code if ward else None,
            cause=chosen.cause,
            privacy_k=scheme.privacy_k,
            rounded_to_five=scheme.round_to_five,
            counted_at=counted.counted_at,
            tables=[_table(t) for t in impact_tables(chosen) + cohesion_tables(chosen)],
        ),
    )


def _invalid(errors: dict[str, list[str]]) -> Status[Any]:
    return Status(422, Problem(detail="Some filters are not valid.", errors=errors))


def _table(table: Table) -> ImpactTableOut:
    def value(key: str, cell: int | None) -> int | None:
        return None if key in table.not_by_place else cell

    return ImpactTableOut(
        key=table.key,
        title=table.title,
        columns=[
            ImpactColumnOut(key=c.key, label=c.label, unit=UNITS.get(c.unit, c.unit))
            for c in table.columns
        ],
        months=[
            ImpactMonthOut(
                month=month,
                cells={c.key: value(c.key, table.cells[c.key][n]) for c in table.columns},
            )
            for n, month in enumerate(table.months)
        ],
        totals={c.key: value(c.key, table.totals[c.key]) for c in table.columns},
        not_by_place=sorted(table.not_by_place),
    )
