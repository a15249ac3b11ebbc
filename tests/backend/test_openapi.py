import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from marketplace.board.forms import BoardSearchForm
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

Document = dict[str, Any]


def openapi(client: Client) -> Document:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, by_method in document["paths"].items():
        for method, operation in by_method.items():
            yield f"{method.upper()} {path}", method, operation


def body_schema(document: Document, operation: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The body's schema and its name; an optional body is `anyOf` it and null."""
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    ref = schema.get("$ref") or next(s["$ref"] for s in schema["anyOf"] if "$ref" in s)
    name = ref.rsplit("/", 1)[1]
    return name, document["components"]["schemas"][name]


def needed(schema: dict[str, Any]) -> set[str]:
    """The fields a body cannot do without: its `required` ones, and those of its
    `oneOf` alternatives when every alternative names some."""
    fields = set(schema.get("required", []))
    alternatives = schema.get("oneOf", [])
    if alternatives and all(a.get("required") for a in alternatives):
        fields |= {name for a in alternatives for name in a["required"]}
    return fields


def refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if "$ref" in value:
            yield value["$ref"].rsplit("/", 1)[1]
        for inner in value.values():
            yield from refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from refs(inner)


def schemas_inside(document: Document, schema: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    waiting = list(refs(schema.get("properties", {})))
    while waiting:
        name = waiting.pop()
        if name not in found:
            found.add(name)
            waiting += refs(document["components"]["schemas"][name])
    return found


def test_every_endpoint_that_takes_a_body_says_which_fields_it_needs(client: Client) -> None:
    document = openapi(client)
    silent = []
    for endpoint, method, operation in operations(document):
        # A body that may be left out needs nothing; a PATCH changes only what it is sent.
        if not operation.get("requestBody", {}).get("required") or method == "patch":
            continue
        name, schema = body_schema(document, operation)
        if not needed(schema):
            silent.append(f"{endpoint} ({name})")
    assert silent == []


def test_every_schema_inside_a_body_says_which_fields_it_needs(client: Client) -> None:
    document = openapi(client)
    inside = {
        name
        for _, _, operation in operations(document)
        if "requestBody" in operation
        for name in schemas_inside(document, body_schema(document, operation)[1])
    }
    assert "ShiftPlanIn" in inside  # an opportunity's weekly run of shifts
    schemas = document["components"]["schemas"]
    assert [name for name in sorted(inside) if not needed(schemas[name])] == []


def test_the_search_lists_the_search_pages_filters_as_query_parameters(client: Client) -> None:
    search = openapi(client)["paths"]["/api/v1/opportunities"]["get"]
    parameters = {p["name"]: p for p in search["parameters"] if p["in"] == "query"}
    assert set(BoardSearchForm.base_fields) | {"page"} <= set(parameters)
    assert not any(p["required"] for p in parameters.values())  # no filter lists everything
    assert parameters["date_from"]["schema"]["format"] == "date"
    assert parameters["miles"]["schema"]["enum"] == ["1", "3", "5", "10", "25"]
    assert parameters["has_places"]["schema"]["type"] == "boolean"


def test_a_body_missing_what_it_needs_is_refused_field_by_field_like_a_form(
    client: Client,
) -> None:
    client.force_login(make_user())
    response = client.post(
        "/api/v1/organise/groups",
        json.dumps({"name": "Allotment Angels"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Some of what was sent is not valid.",
        "errors": {"description": ["Field required"], "contact_email": ["Field required"]},
    }
