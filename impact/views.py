"""The council's impact dashboard (figures by month for a ward and a cause, as charts,
tables and CSV; a scheme's admins only) and each group's own report (its organisers
only). Every count of people is suppressed."""

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.http import AuthedHttpRequest
from coins.funding import recipient_name
from coins.models import Account, Scheme, Sponsorship
from coins.templatetags.pounds import pounds
from impact.campaigns import CampaignRow, campaigns_table
from impact.charts import across_chart, chart
from impact.cohesion import cohesion_tables, measures
from impact.forms import GroupReportForm, ImpactForm
from impact.models import Rollup
from impact.rollup import ROLLUP_MINUTES
from impact.selectors import Filters, rollup_of
from impact.suppression import Cell, shown
from impact.tables import Column, Table, WardRow, impact_report, impact_tables, wards_table
from marketplace.board.models import CommunityGroup


def _schemes(request: AuthedHttpRequest) -> QuerySet[Scheme]:
    schemes = Scheme.objects.filter(admin_memberships__user=request.user).order_by("name")
    if not schemes.exists():
        raise PermissionDenied
    return schemes


def _form(request: AuthedHttpRequest) -> ImpactForm:
    """The filters asked for; left out, the officer's first scheme and the last 12 months."""
    schemes = _schemes(request)
    data = request.GET.copy()
    data.setdefault("scheme", str(schemes.values_list("pk", flat=True).first()))
    return ImpactForm(data, schemes=schemes)


@login_required
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(request, "impact/dashboard.html", {"form": form})
    filters = form.filters()
    counted = rollup_of(filters.scheme)
    if counted is None:
        return render(request, "impact/dashboard.html", {"form": form, **_counted(None)})
    k = filters.scheme.privacy_k
    tables, values = impact_report(filters)
    volunteering = tables[0]
    hours, people = volunteering.cells["hours"], volunteering.cells["volunteers"]
    hours_column, people_column = volunteering.columns[0], volunteering.columns[1]
    charts = [
        chart(
            "Hours given each month",
            volunteering.months,
            hours,
            line=False,
            shown=[cell_text(volunteering, hours_column, c, k) for c in hours],
            per=60,  # minutes, drawn against a scale of hours
        ),
        chart(
            "Volunteers each month",
            volunteering.months,
            people,
            line=True,
            shown=[cell_text(volunteering, people_column, c, k) for c in people],
        ),
    ]
    wards = [] if filters.ward else wards_table(filters)
    gap = f"a gap is a month with fewer than {k}"
    context = {
        "form": form,
        "filters": filters,
        "k": k,
        "charts": charts,
        "volunteering_caption": f"The figures are in the “Volunteering” table below; {gap} "
        "volunteers.",
        "pulse_caption": f"The dashed line is the national figure; the figures are in the pulse "
        f"table below; {gap} answers.",
        "wards": [_ward_rendered(row, k) for row in wards],
        "ward_chart": across_chart(
            "Volunteers in each ward",
            [row.name for row in wards],
            [row.volunteers for row in wards],
            [shown(row.volunteers, k) for row in wards],
        ),
        "values": values,
        "tables": [_rendered(table, k) for table in tables],
        "query": request.GET.urlencode(),
        **_counted(counted),
        **_cohesion(filters, k),
    }
    return render(request, "impact/dashboard.html", context)


def _cohesion(filters: Filters, k: int) -> dict[str, Any]:
    """Who met whom and what the pulse said, with a chart of each measure that has a
    national figure to stand beside, and every measure's definition."""
    tables = cohesion_tables(filters)
    national = [m for m in measures() if m.national is not None]
    pulse = tables[1]
    charts = [
        chart(
            f"{m.column.label}, % (national: {m.national}%)",
            pulse.months,
            pulse.cells[m.column.key],
            line=True,
            shown=[cell_text(pulse, m.column, c, k) for c in pulse.cells[m.column.key]],
            top=100,
            mark=m.national,
        )
        for m in national
    ]
    return {
        "campaigns": [_campaign_rendered(row, k) for row in campaigns_table(filters)],
        "cohesion": [_rendered(table, k) for table in tables],
        "cohesion_charts": charts,
        "measures": measures(),
    }


def _campaign_rendered(row: CampaignRow, k: int) -> dict[str, Any]:
    return {
        "name": row.name,
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "opportunities": f"{row.opportunities:,}",
        "shifts": f"{row.shifts:,}",
        "volunteers": shown(row.volunteers, k),
        "hours": shown(None, k) if row.minutes is None else _hours(row.minutes),
        "first_timers": shown(row.first_timers, k),
    }


def _counted(rollup: Rollup | None) -> dict[str, Any]:
    return {"counted": rollup, "every": ROLLUP_MINUTES}


@login_required
def table_csv(request: AuthedHttpRequest, table: str) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return _bad_filters(form)
    filters = form.filters()
    if table == "wards":
        return _wards_csv(filters)
    return _csv(filters, table, f"impact-{table}", council=True)


def _ward_rendered(row: WardRow, k: int) -> dict[str, str]:
    return {"name": row.name, "volunteers": shown(row.volunteers, k), "hours": _ward_hours(row, k)}


def _ward_hours(row: WardRow, k: int) -> str:
    return shown(None, k) if row.minutes is None else _hours(row.minutes)


def _wards_csv(filters: Filters) -> HttpResponse:
    if rollup_of(filters.scheme) is None:
        return HttpResponse(NOT_COUNTED, status=503, content_type="text/plain")
    k = filters.scheme.privacy_k
    response = _csv_response(f"impact-wards-{filters.first:%Y-%m}-to-{filters.last:%Y-%m}.csv")
    writer = csv.writer(response)
    writer.writerow(["ward code", "ward", "Volunteers", "Hours given (hours)"])
    for row in wards_table(filters):
        volunteers = shown(row.volunteers, k).replace(",", "")
        writer.writerow([row.code, row.name, volunteers, _ward_hours(row, k)])
    return response


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def group_report(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A group's own figures, for its organisers to show their funders; printable."""
    group = _organised(request, pk)
    form = GroupReportForm(request.GET)
    context: dict[str, Any] = {"group": group, "form": form}
    counted = rollup_of(group.scheme)
    context |= _counted(counted)
    if form.is_valid() and counted is not None:
        filters = form.filters(group)
        k = filters.scheme.privacy_k
        tables = [t for t in impact_tables(filters) if t.key in GROUP_TABLES]
        context |= {
            "filters": filters,
            "k": k,
            "tables": [_rendered(table, k) for table in tables],
            "query": request.GET.urlencode(),
        }
    return render(request, "impact/group_report.html", context)


@login_required
def group_report_csv(request: AuthedHttpRequest, pk: int, table: str) -> HttpResponse:
    group = _organised(request, pk)
    form = GroupReportForm(request.GET)
    if not form.is_valid():
        return _bad_filters(form)
    if table not in GROUP_TABLES:
        raise Http404("No such table.")
    return _csv(form.filters(group), table, f"{group.slug}-{table}")


GROUP_TABLES = ("volunteering", "shifts")
NOT_COUNTED = "The figures have not been counted yet; try again in a few minutes."


@login_required
def sponsor_report(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """What a sponsor's money did since they paid: the funded group's volunteering (or
    the whole scheme's, for the fund), its social value, and coins spent in local shops."""
    paid = get_object_or_404(
        Sponsorship.objects.select_related("scheme", "account"),
        pk=pk,
        sponsor=request.user,
        status=Sponsorship.State.PAID,
    )
    group = _funded_group(paid)
    this_month = timezone.localdate().replace(day=1)
    since = Filters(
        scheme=paid.scheme,
        first=timezone.localtime(paid.created).date().replace(day=1),
        last=this_month,
        group=group,
        since=paid.created,
    )
    tables, values = impact_report(since)
    k = paid.scheme.privacy_k
    volunteering, coins = tables[0], tables[2]
    figures = [
        (c.label, cell_text(volunteering, c, volunteering.totals[c.key], k))
        for c in volunteering.columns
        if c.key in ("hours", "volunteers")  # new and returning are the council's, by month
    ]
    spent = next(c for c in coins.columns if c.key == "coins_redeemed")
    context = {
        "sponsorship": paid,
        "to": recipient_name(paid.account),
        "pounds": pounds(paid.amount_pence),
        "figures": figures,
        # Sales are counted across the scheme's shops (a group filter leaves them all).
        "spent": cell_text(coins, spent, coins.totals["coins_redeemed"], k),
        "values": values,
        "k": k,
    }
    return render(request, "impact/sponsor_report.html", context)


def _funded_group(paid: Sponsorship) -> CommunityGroup | None:
    account = paid.account
    if account.kind != Account.Kind.GROUP or account.owner_id is None:
        return None
    return CommunityGroup.objects.filter(pk=account.owner_id).first()


def _organised(request: AuthedHttpRequest, pk: int) -> CommunityGroup:
    group = get_object_or_404(CommunityGroup.objects.select_related("scheme"), pk=pk)
    if not request.user.has_perm("marketplace.manage_group", group):
        raise PermissionDenied
    return group


def _bad_filters(form: Form) -> HttpResponse:
    said = "; ".join(" ".join(str(e) for e in errors) for errors in form.errors.values())
    return HttpResponse(f"The filters are not valid: {said}", status=400, content_type="text/plain")


def _tables(filters: Filters, council: bool) -> list[Table]:
    """The tables a report has: the council's also say who met whom, and the pulse."""
    return impact_tables(filters) + (cohesion_tables(filters) if council else [])


def _csv(filters: Filters, table: str, name: str, *, council: bool = False) -> HttpResponse:
    if rollup_of(filters.scheme) is None:
        return HttpResponse(NOT_COUNTED, status=503, content_type="text/plain")
    found = next((t for t in _tables(filters, council) if t.key == table), None)
    if found is None:
        raise Http404("No such table.")
    k = filters.scheme.privacy_k
    response = _csv_response(f"{name}-{filters.first:%Y-%m}-to-{filters.last:%Y-%m}.csv")
    writer = csv.writer(response)
    writer.writerow(["month", *(_heading(c) for c in found.columns)])
    for n, month in enumerate(found.months):
        cells = [cell_csv(found, c, found.cells[c.key][n], k) for c in found.columns]
        writer.writerow([f"{month:%Y-%m}", *cells])
    writer.writerow(["total", *(cell_csv(found, c, found.totals[c.key], k) for c in found.columns)])
    return response


def cell_text(table: Table, column: Column, cell: Cell, k: int) -> str:
    """A cell as the page reads it."""
    if column.key in table.not_by_place:
        return "not counted by ward or cause"
    if cell is None:
        return shown(None, k)
    if column.unit == "hours":
        return _hours(cell)
    if column.unit == "£":
        return pounds(cell)
    if column.unit == "%":
        return f"{cell}%"
    return f"{cell:,}"


def cell_csv(table: Table, column: Column, cell: Cell, k: int) -> str:
    """A cell as a spreadsheet reads it: plain numbers, hours and pounds as decimals."""
    if column.key in table.not_by_place:
        return ""
    if cell is None:
        return shown(None, k)
    if column.unit == "hours":
        return _hours(cell)
    if column.unit == "£":
        return f"{cell // 100}.{cell % 100:02d}"
    return str(cell)


def _hours(minutes: int) -> str:
    """Minutes as hours to one decimal place, in integers: 150 -> "2.5"."""
    tenths = (minutes * 10 + 30) // 60
    return f"{tenths // 10:,}.{tenths % 10}"


def _heading(column: Column) -> str:
    return f"{column.label} ({column.unit})" if column.unit else column.label


def _rendered(table: Table, k: int) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": table.title,
        "columns": table.columns,
        "rows": [
            {
                "month": month,
                "cells": [cell_text(table, c, table.cells[c.key][n], k) for c in table.columns],
            }
            for n, month in enumerate(table.months)
        ],
        "totals": [cell_text(table, c, table.totals[c.key], k) for c in table.columns],
    }
