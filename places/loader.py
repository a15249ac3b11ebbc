"""Loading the ONS National Statistics Postcode Lookup (NSPL) into the postcode table.

The whole UK file is 2.7 million rows: it is read a row at a time and streamed into a
temporary table with COPY, so memory stays flat, and everything lands in one
transaction, so a bad row leaves the table as it was. Loading the same file twice
changes nothing."""

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts.forms import normalise_postcode
from coins.models import Scheme

SAMPLE = Path(__file__).parent / "data"
SAMPLE_NSPL, SAMPLE_WARDS = SAMPLE / "nspl_sample.csv", SAMPLE / "ward_names_sample.csv"
# The demo's second town, in its own local authority (E08099998).
SECOND_NSPL = SAMPLE / "nspl_sample_fernley.csv"
SECOND_WARDS = SAMPLE / "ward_names_sample_fernley.csv"
PROGRESS_EVERY = 100_000
# NSPL gives postcodes without a grid reference this latitude: they have no point.
NO_LOCATION = 99.999999
WARD_CODE = re.compile(r"^[EWSN]\d{8}$")
# The names file's columns carry the year of the wards: WD24CD, WD24NM.
WARD_NAMES_CODE = re.compile(r"^WD\d\dCD$", re.IGNORECASE)
WARD_NAMES_NAME = re.compile(r"^WD\d\dNM$", re.IGNORECASE)


class LoadRefused(Exception):
    """The file cannot be loaded; the message names the line and what is wrong with it."""


@dataclass(frozen=True)
class LoadResult:
    read: int
    postcodes_changed: int
    wards_changed: int
    without_location: int
    outside_area: int


@dataclass(frozen=True)
class _Row:
    line: int
    postcode: str
    latitude: float
    longitude: float
    ward: str


def postcodes_load(
    *,
    nspl: Path,
    ward_names: Path,
    scheme: Scheme | None = None,
    authorities: frozenset[str] = frozenset(),
    ward_column: str = "ward",
    progress: Callable[[int], None] = lambda read: None,
) -> LoadResult:
    """Load every postcode of the file (or of the given local authorities, the `laua`
    column) with its point and ward; the wards met belong to `scheme` when one is given."""
    names = _ward_names(ward_names)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE places_load (line integer, postcode varchar(8), "
            "latitude float8, longitude float8, ward varchar(9)) ON COMMIT DROP"
        )
        counts, wards = _copy(cursor, _rows(nspl, names, authorities, ward_column, progress), nspl)
        _refuse_duplicates(cursor, nspl)
        wards_changed = _wards_upsert(cursor, {code: names[code] for code in wards}, scheme)
        postcodes_changed = _postcodes_upsert(cursor)
        # Inside a caller's transaction ON COMMIT comes later: leave nothing behind now.
        cursor.execute("DROP TABLE places_load")
    return LoadResult(
        read=counts["read"],
        postcodes_changed=postcodes_changed,
        wards_changed=wards_changed,
        without_location=counts["without_location"],
        outside_area=counts["outside_area"],
    )


def postcodes_sample_load(*, scheme: Scheme | None = None) -> LoadResult:
    """The demo town's 300 postcodes in 8 wards, in the NSPL's own format."""
    return postcodes_load(nspl=SAMPLE_NSPL, ward_names=SAMPLE_WARDS, scheme=scheme)


def postcodes_second_sample_load(*, scheme: Scheme | None = None) -> LoadResult:
    """The demo's second town, Fernley: 27 postcodes in 3 wards, a few miles away."""
    return postcodes_load(nspl=SECOND_NSPL, ward_names=SECOND_WARDS, scheme=scheme)


def _ward_names(path: Path) -> dict[str, str]:
    """Ward code -> name, from the names file that comes beside the NSPL."""
    with _open(path) as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        code_at = _column(header, WARD_NAMES_CODE, path, "WDyyCD (ward code) column")
        name_at = _column(header, WARD_NAMES_NAME, path, "WDyyNM (ward name) column")
        names = {}
        for line, row in enumerate(reader, start=2):
            if len(row) <= max(code_at, name_at) or not WARD_CODE.match(row[code_at].strip()):
                raise LoadRefused(f"{path.name}, line {line}: not a ward code and name.")
            names[row[code_at].strip()] = row[name_at].strip()[:100]
    return names


def _column(header: list[str], pattern: re.Pattern[str], path: Path, what: str) -> int:
    for at, name in enumerate(header):
        if pattern.match(name.strip().lstrip("\ufeff")):
            return at
    raise LoadRefused(f"{path.name}, line 1: no {what} in the header.")


def _rows(
    path: Path,
    names: dict[str, str],
    authorities: frozenset[str],
    ward_column: str,
    progress: Callable[[int], None],
) -> Iterator[_Row | str]:
    """Each usable row, or a word for one skipped ("no location", "outside")."""
    with _open(path) as handle:
        line = 1
        try:
            reader = csv.DictReader(handle)
            fields = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = fields
            wanted = {"pcds", "lat", "long", ward_column} | ({"laua"} if authorities else set())
            missing = sorted(wanted - set(fields))
            if missing:
                raise LoadRefused(f"{path.name}, line 1: no column {', '.join(missing)}.")
            for line, record in enumerate(reader, start=2):
                if line % PROGRESS_EVERY == 0:
                    progress(line - 1)
                yield _row(path.name, line, record, names, authorities, ward_column)
        except (UnicodeDecodeError, csv.Error) as bad:
            raise LoadRefused(f"{path.name}, line {line + 1}: not readable as CSV text.") from bad


def _row(
    name: str,
    line: int,
    record: dict[str, Any],
    names: dict[str, str],
    authorities: frozenset[str],
    ward_column: str,
) -> _Row | str:
    if authorities and (record.get("laua") or "").strip() not in authorities:
        return "outside"
    where = f"{name}, line {line}"
    try:
        postcode = normalise_postcode(record.get("pcds") or "")
        latitude, longitude = float(record["lat"]), float(record["long"])
    except (ValidationError, TypeError, ValueError) as bad:
        raise LoadRefused(f"{where}: the postcode, lat or long cannot be read.") from bad
    if latitude == NO_LOCATION:
        return "no location"
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise LoadRefused(f"{where}: {latitude}, {longitude} is not a place on Earth.")
    ward = (record.get(ward_column) or "").strip()
    if ward and ward not in names:
        raise LoadRefused(f"{where}: ward {ward} is not in the ward names file.")
    return _Row(line, postcode, latitude, longitude, ward)


def _copy(cursor: Any, rows: Iterator[_Row | str], path: Path) -> tuple[dict[str, int], set[str]]:
    counts = {"read": 0, "without_location": 0, "outside_area": 0}
    wards: set[str] = set()
    raw = cursor.cursor  # psycopg's own cursor, in the same transaction
    with raw.copy(
        "COPY places_load (line, postcode, latitude, longitude, ward) FROM STDIN"
    ) as copy:
        for row in rows:
            counts["read"] += 1
            if row == "no location":
                counts["without_location"] += 1
            elif row == "outside":
                counts["outside_area"] += 1
            elif isinstance(row, _Row):
                copy.write_row((row.line, row.postcode, row.latitude, row.longitude, row.ward))
                if row.ward:
                    wards.add(row.ward)
    if not counts["read"]:
        raise LoadRefused(f"{path.name}: there are no postcodes in the file.")
    return counts, wards


def _refuse_duplicates(cursor: Any, path: Path) -> None:
    cursor.execute(
        "SELECT postcode, min(line), max(line) FROM places_load "
        "GROUP BY postcode HAVING count(*) > 1 ORDER BY min(line) LIMIT 1"
    )
    twice = cursor.fetchone()
    if twice:
        raise LoadRefused(
            f"{path.name}, line {twice[2]}: {twice[0]} is already on line {twice[1]}."
        )


def _wards_upsert(cursor: Any, wards: dict[str, str], scheme: Scheme | None) -> int:
    """Add or rename the wards met; those of a scheme's area join the scheme."""
    if not wards:
        return 0
    cursor.execute(
        """
        INSERT INTO places_ward (code, name, scheme_id)
        SELECT code, name, %s FROM unnest(%s::text[], %s::text[]) AS w (code, name)
        ON CONFLICT (code) DO UPDATE
            SET name = EXCLUDED.name,
                scheme_id = COALESCE(EXCLUDED.scheme_id, places_ward.scheme_id)
            WHERE places_ward.name IS DISTINCT FROM EXCLUDED.name
               OR places_ward.scheme_id IS DISTINCT FROM
                  COALESCE(EXCLUDED.scheme_id, places_ward.scheme_id)
        """,
        [scheme.pk if scheme else None, list(wards), list(wards.values())],
    )
    return int(cursor.rowcount)


def _postcodes_upsert(cursor: Any) -> int:
    """Add new postcodes and move changed ones; a row that is the same is not touched."""
    cursor.execute(
        """
        INSERT INTO places_postcode (postcode, latitude, longitude, ward_id)
        SELECT l.postcode, l.latitude, l.longitude, w.id
        FROM places_load l LEFT JOIN places_ward w ON w.code = l.ward
        ON CONFLICT (postcode) DO UPDATE
            SET latitude = EXCLUDED.latitude,
                longitude = EXCLUDED.longitude,
                ward_id = EXCLUDED.ward_id
            WHERE (places_postcode.latitude, places_postcode.longitude, places_postcode.ward_id)
                IS DISTINCT FROM (EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.ward_id)
        """
    )
    return int(cursor.rowcount)


def _open(path: Path) -> Any:
    try:
        # utf-8-sig: the ONS files open with a byte-order mark.
        return path.open(newline="", encoding="utf-8-sig", errors="strict")
    except OSError as error:
        raise LoadRefused(f"{path}: cannot be read ({error.strerror}).") from error
