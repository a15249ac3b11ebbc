import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from places.loader import SAMPLE_NSPL, SAMPLE_WARDS
from places.models import Postcode, Ward
from places.selectors import postcode_point, ward_of
from tests.coins.factories import make_scheme

pytestmark = pytest.mark.django_db


def load(nspl: Path, wards: Path = SAMPLE_WARDS, *extra: str) -> None:
    call_command("load_postcodes", str(nspl), "--wards", str(wards), *extra)


def table() -> list[tuple[str, float, float, str | None]]:
    return list(
        Postcode.objects.order_by("pk").values_list("pk", "latitude", "longitude", "ward__code")
    )


def nspl_with(tmp_path: Path, rows: list[dict[str, str]], name: str = "nspl.csv") -> Path:
    """The sample's header and first rows, then the given rows over its columns."""
    with SAMPLE_NSPL.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header, first = reader.fieldnames or [], [next(reader) for _ in range(3)]
    path = tmp_path / name
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        for row in first + [{**first[0], **row} for row in rows]:
            writer.writerow(row)
    return path


def test_the_bundled_sample_loads_300_postcodes_in_8_wards_of_the_scheme(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Postcode.objects.all().delete()
    Ward.objects.all().delete()
    scheme = make_scheme("brackenford")

    load(SAMPLE_NSPL, SAMPLE_WARDS, "--scheme", "brackenford")

    assert Postcode.objects.count() == 300
    assert sorted(Ward.objects.values_list("name", flat=True)) == [
        "Central", "Eastfield", "Hillcrest", "Millbrook", "Northgate", "Parkside", "Southmoor",
        "Wharfside",
    ]  # fmt: skip
    assert set(Ward.objects.values_list("scheme", flat=True)) == {scheme.pk}
    assert postcode_point("bk3 2aa") == (53.80771, -1.56653)  # typed any old way
    assert ward_of("BK1 1AA").code == "E05099903"  # type: ignore[union-attr]
    assert postcode_point("BK9 9ZZ") is None  # the ONS could not place it: left out
    said = capsys.readouterr().out
    assert "301 rows read; 300 postcodes and 8 wards added or changed" in said
    assert "1 without a location" in said


def test_loading_the_same_file_twice_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    before = table()
    load(SAMPLE_NSPL)  # the test database was loaded with it already
    assert table() == before
    assert "0 postcodes and 0 wards added or changed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("row", "refusal"),
    [
        ({"pcds": "BK7 7AA", "lat": "north"}, "line 6: the postcode, lat or long cannot be read"),
        ({"pcds": "not a postcode"}, "line 6: the postcode, lat or long cannot be read"),
        ({"pcds": "BK7 7AA", "lat": "91.5"}, "line 6: 91.5, -1.60586 is not a place on Earth"),
        ({"pcds": "BK7 7AA", "ward": "E05000001"}, "line 6: ward E05000001 is not in the ward"),
        ({"pcds": "BK1 1AA"}, "line 6: BK1 1AA is already on line 2"),
    ],
)
def test_a_bad_row_is_refused_by_its_line_and_nothing_is_loaded(
    tmp_path: Path, row: dict[str, str], refusal: str
) -> None:
    before = table()
    good_new = {"pcds": "BK7 7AB", "lat": "53.8", "long": "-1.5"}
    path = nspl_with(tmp_path, [good_new, row])
    with pytest.raises(CommandError, match=refusal) as refused:
        load(path)
    assert str(refused.value).endswith("Nothing was loaded.")
    assert table() == before  # not even the good new row before it
    assert postcode_point("BK7 7AB") is None


def test_a_file_that_is_not_the_lookup_is_refused_plainly(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("postcode,latitude,longitude\nBK1 1AA,53.7,-1.6\n")
    with pytest.raises(CommandError, match=r"wrong.csv, line 1: no column lat, long, pcds, ward"):
        load(wrong)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(SAMPLE_NSPL.read_bytes()[:400] + b"\xff\xfe\x00garbage\n")
    with pytest.raises(CommandError, match=r"binary.csv, line \d+: not readable as CSV text"):
        load(binary)
    with pytest.raises(CommandError, match="cannot be read"):
        load(tmp_path / "missing.csv")
    names = tmp_path / "names.csv"
    names.write_text("code,name\nE05099901,Central\n")
    with pytest.raises(CommandError, match=r"names.csv, line 1: no WDyyCD \(ward code\) column"):
        load(SAMPLE_NSPL, names)


def test_only_the_councils_own_authorities_are_loaded_when_it_names_them(
    tmp_path: Path,
) -> None:
    elsewhere = {"pcds": "ZZ1 1AA", "laua": "E09000001", "lat": "51.5", "long": "-0.1"}
    path = nspl_with(tmp_path, [elsewhere, {"pcds": "BK7 7AC"}])
    load(path, SAMPLE_WARDS, "--authority", "E08099999")
    assert postcode_point("BK7 7AC") is not None
    assert postcode_point("ZZ1 1AA") is None


def test_an_unknown_scheme_is_named() -> None:
    with pytest.raises(CommandError, match="no scheme with the slug 'atlantis'"):
        load(SAMPLE_NSPL, SAMPLE_WARDS, "--scheme", "atlantis")
