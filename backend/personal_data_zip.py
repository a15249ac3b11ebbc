"""The download of a person's data as one zip: my-data.json with everything, and a CSV
for each kind of record (each section of each app's part), for a spreadsheet."""

import csv
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from coins.spreadsheet import spreadsheet_cell

# A section's CSV is named for it; these read better under another name.
CSV_NAMES = {"account": "profile"}
NONE_HELD = "We hold no records of this kind about you."


def personal_data_zip(data: dict[str, Any], *, parts: list[str]) -> bytes:
    """`data` is personal_data_of's; `parts` the keys in it that are apps' parts. Each
    list or record in a part is a CSV; what is left (yes/no, a town) goes in one CSV per
    part, "<part>_summary.csv"."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        archive.writestr("my-data.json", body)
        for name, rows in _tables(data, parts).items():
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()


def _tables(data: dict[str, Any], parts: list[str]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        summary = []
        for key, value in data[part].items():
            if isinstance(value, dict) or _is_records(value) or value is None:
                name = CSV_NAMES.get(key, key)
                tables[name if name not in tables else f"{part}_{name}"] = _rows(value)
            else:
                summary.append({"what": key.replace("_", " "), "value": value})
        if summary:
            tables[f"{part}_summary"] = summary
    return tables


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _rows(value: dict[str, Any] | list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    if value is None:
        return []
    return [value] if isinstance(value, dict) else value


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if not rows:
        writer.writerow([NONE_HELD])
        return out.getvalue()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def _cell(value: Any) -> str | int:
    """Numbers stay numbers; any text a spreadsheet might run as a formula is made
    plain (a name, a memo or a search is typed by someone)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return spreadsheet_cell("; ".join(str(item) for item in value))
    if isinstance(value, dict):
        return spreadsheet_cell(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
    return spreadsheet_cell(str(value))
