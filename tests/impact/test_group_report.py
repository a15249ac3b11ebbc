import csv
import io

import pytest
from django.test import Client

from marketplace.board.models import GroupOrganiser
from tests.conftest import make_user
from tests.impact.test_dashboard import RANGE, page_tables
from tests.impact.town import town_with_known_numbers
from tests.marketplace.factories import make_group

pytestmark = pytest.mark.django_db


def test_an_organiser_sees_their_groups_figures_by_month_and_downloads_them(
    client: Client,
) -> None:
    town = town_with_known_numbers(k=2)
    client.force_login(GroupOrganiser.objects.get(group=town.group).user)
    dashboard = client.get("/organise/").content.decode()
    report = f"/organise/groups/{town.group.pk}/report/"
    assert f'href="{report}"' in dashboard  # "Report for funders", from the board's page

    tables = page_tables(client.get(report, RANGE).content.decode())
    assert set(tables) == {"volunteering", "shifts"}  # a group's report: no coins or money
    assert tables["volunteering"]["All months"] == ["20.0", "7", "7", "0"]
    assert tables["shifts"]["Oct 2026"] == ["2", "8", "5", "63%", "5", "0", "0%", "1", "1", "1"]

    sheet = client.get(f"{report}shifts.csv", RANGE)
    assert sheet["Content-Disposition"] == (
        'attachment; filename="park-friends-shifts-2026-09-to-2026-12.csv"'
    )
    rows = list(csv.reader(io.StringIO(sheet.content.decode())))
    assert rows[0][:5] == ["month", "Shifts", "Places offered", "Places taken", "Places filled (%)"]
    assert rows[-1] == ["total", "4", "17", "13", "76", "11", "2", "15", "2", "2", "1"]


def test_another_groups_organiser_a_resident_and_a_visitor_cannot_see_a_groups_report(
    client: Client,
) -> None:
    town = town_with_known_numbers()
    report = f"/organise/groups/{town.group.pk}/report/"
    assert client.get(report).status_code == 302  # to the login page
    client.force_login(GroupOrganiser.objects.get(group=make_group("Other Group")).user)
    assert client.get(report).status_code == 403
    assert client.get(f"{report}volunteering.csv").status_code == 403
    client.force_login(make_user("someone@example.org"))
    assert client.get(report).status_code == 403
    client.force_login(town.council)  # the council has the dashboard, not the group's page
    assert client.get(report).status_code == 403
    assert client.get("/organise/groups/999999/report/").status_code == 404
