import csv
import io
import re
from datetime import date

import pytest
from django.test import Client

from coins.models import Scheme
from impact.suppression import column_suppressed
from places.models import Ward
from tests.conftest import make_user
from tests.impact.town import town_with_known_numbers
from tests.marketplace.factories import make_group, make_retailer, staff_of

pytestmark = pytest.mark.django_db

RANGE = {"first": "2026-09", "last": "2026-12"}
MONTHS = ["Sep 2026", "Oct 2026", "Nov 2026", "Dec 2026", "All months"]
HAND_COUNTED = {
    "volunteering": {  # hours, volunteers, new, returning
        "Sep 2026": ["6.0", "2", "2", "0"],
        "Oct 2026": ["8.0", "5", "3", "2"],
        "Nov 2026": ["6.0", "4", "2", "2"],
        "Dec 2026": ["0.0", "0", "0", "0"],
        "All months": ["20.0", "7", "7", "0"],
    },
    "shifts": {  # shifts, offered, taken, % filled, came, no-shows, %, filled, posted, groups
        "Sep 2026": ["1", "5", "4", "80%", "2", "2", "50%", "0", "1", "1"],
        "Oct 2026": ["2", "8", "5", "63%", "5", "0", "0%", "1", "1", "1"],  # 62.5 rounds up
        "Nov 2026": ["1", "4", "4", "100%", "4", "0", "0%", "1", "0", "1"],
        "Dec 2026": ["0", "0", "0", "0%", "0", "0", "0%", "0", "0", "0"],
        "All months": ["4", "17", "13", "76%", "11", "2", "15%", "2", "2", "1"],
    },
    "coins": {  # earned, spent, given, expired, shops, sponsorship, paid to shops
        "Sep 2026": ["60", "0", "0", "0", "0", "£0.00", "£0.00"],
        "Oct 2026": ["80", "12", "0", "0", "1", "£0.00", "£0.00"],
        "Nov 2026": ["60", "0", "0", "0", "0", "£0.00", "£0.00"],
        "Dec 2026": ["0", "0", "5", "183", "0", "£0.00", "£0.00"],
        "All months": ["200", "12", "5", "183", "1", "£0.00", "£0.00"],
    },
    "wards": {  # volunteers (each once), hours; where the volunteering happened
        "Central": ["3", "12.0"],  # A, B, D at the litter pick
        "Eastfield": ["0", "0.0"],
        "Hillcrest": ["0", "0.0"],
        "Millbrook": ["4", "8.0"],  # C, E, F, G at the food bank
        "Northgate": ["0", "0.0"],
        "Parkside": ["0", "0.0"],
        "Southmoor": ["0", "0.0"],
        "Wharfside": ["0", "0.0"],
    },
}


def page_tables(page: str) -> dict[str, dict[str, list[str]]]:
    """Each table on the page: its rows by month, each a list of the cells as read."""
    tables = {}
    for key, body in re.findall(
        r'<section aria-labelledby="table-(\w+)">(.*?)</section>', page, re.S
    ):
        rows = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', body, re.S)
        tables[key] = {
            month: re.findall(r'<td class="num">([^<]*)</td>', cells) for month, cells in rows
        }
    return tables


def csv_table(client: Client, key: str, query: dict[str, str]) -> dict[str, list[str]]:
    response = client.get(f"/council/impact/{key}.csv", query)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return {row[0]: row[1:] for row in rows[1:]}


def test_every_cell_of_the_dashboard_and_its_csv_is_the_hand_counted_figure(
    client: Client,
) -> None:
    town = town_with_known_numbers(k=2)
    client.force_login(town.council)
    page = client.get("/council/impact/", RANGE).content.decode()
    tables = page_tables(page)
    # Who met whom and the pulse have their own hand-counted town (test_cohesion.py).
    assert set(tables) == {*HAND_COUNTED, "mixing", "pulse"}
    assert {key: tables[key] for key in HAND_COUNTED} == HAND_COUNTED
    # The spreadsheet: months as YYYY-MM, pounds as plain decimals.
    sheet = csv_table(client, "volunteering", RANGE)
    assert sheet == {
        "2026-09": ["6.0", "2", "2", "0"],
        "2026-10": ["8.0", "5", "3", "2"],
        "2026-11": ["6.0", "4", "2", "2"],
        "2026-12": ["0.0", "0", "0", "0"],
        "total": ["20.0", "7", "7", "0"],
    }
    coins = ["200", "12", "5", "183", "1", "0.00", "0.00"]
    assert csv_table(client, "coins", RANGE)["total"] == coins
    # The API: the same cells as numbers, in minutes, pence and per cent.
    answer = client.get("/api/v1/impact/months", RANGE).json()
    in_api = {t["key"]: api_as_page(t) for t in answer["tables"]}
    assert set(in_api) == {*HAND_COUNTED, "mixing", "pulse"} - {"wards"}
    assert {key: in_api[key] for key in HAND_COUNTED if key != "wards"} == {
        key: rows for key, rows in HAND_COUNTED.items() if key != "wards"
    }


def api_as_page(table: dict) -> dict[str, list[str]]:
    """An API table's cells written as the page writes them."""

    def written(unit: str, value: int) -> str:
        if unit == "minutes":
            tenths = (value * 10 + 30) // 60
            return f"{tenths // 10}.{tenths % 10}"
        if unit == "pence":
            return f"£{value // 100}.{value % 100:02d}"
        return f"{value}%" if unit == "percent" else str(value)

    columns = table["columns"]
    rows = {
        date.fromisoformat(m["month"]).strftime("%b %Y"): [
            written(c["unit"], m["cells"][c["key"]]) for c in columns
        ]
        for m in table["months"]
    }
    rows["All months"] = [written(c["unit"], table["totals"][c["key"]]) for c in columns]
    return rows


def test_a_ward_counts_what_happened_there_and_hides_what_would_pick_someone_out(
    client: Client,
) -> None:
    town = town_with_known_numbers(k=2)
    client.force_login(town.council)
    central = Ward.objects.get(name="Central")
    page = client.get("/council/impact/", {**RANGE, "ward": str(central.pk)}).content.decode()
    tables = page_tables(page)
    hidden = "fewer than 2"
    # Central had the September and October litter picks (A, B; then A, B, D: D is new).
    # October's one new volunteer is hidden; September's too, or the total would tell it;
    # and returning with them, or volunteers minus returning would.
    assert tables["volunteering"] == {
        "Sep 2026": ["6.0", "2", hidden, hidden],
        "Oct 2026": ["6.0", "3", hidden, hidden],
        "Nov 2026": ["0.0", "0", "0", "0"],
        "Dec 2026": ["0.0", "0", "0", "0"],
        "All months": ["12.0", "3", "3", "0"],
    }
    not_by_ward = "not counted by ward or cause"
    assert tables["coins"]["Oct 2026"] == [
        "60",
        "12",
        not_by_ward,
        not_by_ward,
        "1",
        not_by_ward,
        not_by_ward,
    ]


def test_at_the_schemes_k_small_counts_are_hidden_and_cannot_be_worked_out(
    client: Client,
) -> None:
    town = town_with_known_numbers(k=10)
    client.force_login(town.council)
    page = client.get("/council/impact/", RANGE).content.decode()
    tables = page_tables(page)
    for key, rows in tables.items():
        people = range(1, 4) if key == "volunteering" else range(2, 6) if key == "shifts" else []
        for column in people:
            cells = [rows[month][column] for month in MONTHS[:-1]]
            total = rows["All months"][column]
            # Try to recover a hidden month from the total and the months shown.
            if total.replace(",", "").isdigit():
                assert sum(cell == "fewer than 10" for cell in cells) != 1, (key, column, cells)
    volunteers = [tables["volunteering"][m][1] for m in MONTHS]
    h = "fewer than 10"
    # Attended and did-not-come hide together (the places taken would tell one from the
    # other), so October's and November's zero no-shows hide too, and both totals.
    assert tables["shifts"] == {
        "Sep 2026": ["1", "5", h, h, h, h, h, "0", "1", "1"],
        "Oct 2026": ["2", "8", h, h, h, h, h, "1", "1", "1"],
        "Nov 2026": ["1", "4", h, h, h, h, h, "1", "0", "1"],
        "Dec 2026": ["0", "0", "0", "0%", "0", "0", "0%", "0", "0", "0"],
        "All months": ["4", "17", "13", "76%", h, h, h, "2", "2", "1"],
    }
    # December had nobody (a zero tells nothing); 7 people in all is fewer than 10 too.
    assert volunteers == ["fewer than 10"] * 3 + ["0", "fewer than 10"]
    hours = [tables["volunteering"][m][0] for m in MONTHS]
    assert hours == ["fewer than 10", "fewer than 10", "fewer than 10", "0.0", "fewer than 10"]
    assert csv_table(client, "volunteering", RANGE)["2026-10"][:2] == ["fewer than 10"] * 2
    answer = client.get("/api/v1/impact/months", RANGE).json()
    shifts = next(t for t in answer["tables"] if t["key"] == "shifts")
    assert [m["cells"]["attended"] for m in shifts["months"]] == [None, None, None, 0]
    assert shifts["totals"]["places"] == 13 and shifts["totals"]["attended"] is None


def test_one_hidden_cell_takes_a_second_with_it_wherever_the_total_is_shown() -> None:
    assert column_suppressed([40, 3, 25, 0], total=68, k=10) == ([40, None, None, 0], 68)
    assert column_suppressed([3, 0, 0], total=3, k=10) == ([None, 0, 0], None)
    assert column_suppressed([12, 30], total=42, k=10) == ([12, 30], 42)
    assert column_suppressed([4, 5, 30], total=39, k=10) == ([None, None, 30], 39)


@pytest.mark.parametrize("who", ["resident", "organiser", "shop", "anonymous"])
def test_only_the_schemes_admins_see_the_figures(client: Client, who: str) -> None:
    town_with_known_numbers()
    if who == "resident":
        client.force_login(make_user("someone@example.org"))
    elif who == "organiser":
        client.force_login(make_group("Other Group").organisers.get().user)
    elif who == "shop":
        client.force_login(staff_of(make_retailer("Other Shop")))
    for url in ["/council/impact/", "/council/impact/volunteering.csv"]:
        response = client.get(url, RANGE)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 403, (who, url)
    api = client.get("/api/v1/impact/months", RANGE)
    refused = (
        "Log in to use this."
        if who == "anonymous"
        else "Only a scheme's admins can see its figures."
    )
    assert (api.status_code, api.json()["detail"]) == (401 if who == "anonymous" else 403, refused)


def test_bad_filters_are_explained_on_the_page_and_refused_in_the_csv(client: Client) -> None:
    town = town_with_known_numbers()
    client.force_login(town.council)
    page = client.get("/council/impact/", {"first": "2026-13", "last": "2026-01"})
    assert page.status_code == 200
    assert "Give the month as YYYY-MM, such as 2026-11." in page.content.decode()
    backwards = client.get("/council/impact/", {"first": "2026-11", "last": "2026-01"})
    assert "The first month must be on or before the last." in backwards.content.decode()
    too_long = client.get(
        "/council/impact/volunteering.csv", {"first": "2020-01", "last": "2026-01"}
    )
    assert too_long.status_code == 400 and "at most 36 months" in too_long.content.decode()
    assert client.get("/council/impact/nonsense.csv").status_code == 404
    elsewhere = Ward.objects.create(code="E05000001", name="Elsewhere")
    other = client.get("/council/impact/", {"ward": str(elsewhere.pk)}).content.decode()
    assert "Select a valid choice" in other
    api = client.get("/api/v1/impact/months", {"ward": "E05000001", "cause": "juggling"})
    assert api.status_code == 422
    assert api.json()["errors"] == {"ward": ["There is no ward with that code in this scheme."]}
    api = client.get("/api/v1/impact/months", {"first": "2026-13"})
    assert api.json()["errors"] == {"first": ["Give the month as YYYY-MM, such as 2026-11."]}


def test_social_value_is_shown_with_its_method_and_source_and_hidden_with_its_people(
    client: Client,
) -> None:
    town = town_with_known_numbers(k=2)
    Scheme.objects.filter(pk=town.scheme.pk).update(
        hour_value_pence=1900,
        hour_value_source="Measure Up (2023), an hour at the median wage",
        wellbeing_value_pence=160000,
        wellbeing_value_source="Measure Up (2023 prices), per regular volunteer a year",
    )
    client.force_login(town.council)
    page = client.get("/council/impact/", RANGE).content.decode()
    value = page[page.index('id="social-value"') :]
    assert "Economic value of the hours given: £380.00" in value  # 20 h at £19
    assert "The hours given, at £19.00 an hour." in value
    assert "Source: Measure Up (2023), an hour at the median wage" in value
    # Nobody gave time in three of the four months (A and B in two, the rest in one or two).
    assert "Wellbeing value to regular volunteers: £0.00" in value
    assert "0 people gave time in at least 3 of these 4 months: £1,600.00 a year each" in value

    Scheme.objects.filter(pk=town.scheme.pk).update(privacy_k=10)  # 7 volunteers in all
    page = client.get("/council/impact/", RANGE).content.decode()
    assert "Economic value of the hours given: not shown" in page


def test_the_wards_are_drawn_and_tabled_and_one_small_ward_cannot_be_worked_out(
    client: Client,
) -> None:
    town = town_with_known_numbers(k=2)
    client.force_login(town.council)
    page = client.get("/council/impact/", RANGE).content.decode()
    wards = page_tables(page)["wards"]
    # Central: A, B and D, 6 h in September and 6 in October; Millbrook: C, E, F, G, 8 h.
    assert wards["Central"] == ["3", "12.0"]
    assert wards["Millbrook"] == ["4", "8.0"]
    assert wards["Parkside"] == ["0", "0.0"]
    assert '<figcaption id="chart-wards">Volunteers in each ward' in page
    assert "<title>Central: 3</title>" in page
    rows = csv_table(client, "wards", RANGE)
    assert rows["E05099901"] == ["Central", "3", "12.0"]

    # At k = 4 Central's 3 is hidden, and Millbrook's 4 with it: the two add up to a
    # figure shown elsewhere on the page. Their hours hide with them, and no bar is drawn.
    Scheme.objects.filter(pk=town.scheme.pk).update(privacy_k=4)
    page = client.get("/council/impact/", RANGE).content.decode()
    wards = page_tables(page)["wards"]
    assert wards["Central"] == ["fewer than 4", "fewer than 4"]
    assert wards["Millbrook"] == ["fewer than 4", "fewer than 4"]
    assert "<title>Central: fewer than 4</title>" in page
    assert csv_table(client, "wards", RANGE)["E05099903"] == ["Millbrook"] + ["fewer than 4"] * 2


def test_a_ward_chosen_shows_no_ward_by_ward_section(client: Client) -> None:
    town = town_with_known_numbers(k=2)
    client.force_login(town.council)
    central = Ward.objects.get(name="Central")
    page = client.get("/council/impact/", {**RANGE, "ward": str(central.pk)}).content.decode()
    assert "wards" not in page_tables(page)


def test_where_the_scheme_asks_counts_of_people_read_to_the_nearest_5(client: Client) -> None:
    town = town_with_known_numbers(k=2)
    Scheme.objects.filter(pk=town.scheme.pk).update(round_to_five=True)
    client.force_login(town.council)
    page = client.get("/council/impact/", RANGE).content.decode()
    assert "Other counts of people are rounded to the nearest 5." in page
    tables = page_tables(page)
    # Volunteers 2, 5, 4, 0 and 7 in all; new 2, 3, 2; hours are not people and stay.
    assert tables["volunteering"] == {
        "Sep 2026": ["6.0", "5", "5", "0"],
        "Oct 2026": ["8.0", "5", "5", "5"],
        "Nov 2026": ["6.0", "5", "5", "5"],
        "Dec 2026": ["0.0", "0", "0", "0"],
        "All months": ["20.0", "5", "5", "0"],
    }
    assert tables["wards"]["Central"] == ["5", "12.0"]  # 3
    assert csv_table(client, "volunteering", RANGE)["2026-11"] == ["6.0", "5", "5", "5"]
    answer = client.get("/api/v1/impact/months", RANGE).json()
    assert answer["rounded_to_five"] is True
    volunteering = answer["tables"][0]
    assert [m["cells"]["volunteers"] for m in volunteering["months"]] == [5, 5, 5, 0]
