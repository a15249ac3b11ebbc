import json

import pytest
from django.test import Client

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_probe(client: Client) -> None:
    client.force_login(make_user())
    for path, body in [
        ("/api/v1/organise/shifts/1/attendance", {}),
        ("/api/v1/organise/shifts/1/attendance", {"signup": "x", "attended": True}),
        ("/api/v1/council/groups/1/decision", {"decision": "maybe"}),
        ("/api/v1/organise/hours/1/decision", {"decision": "reject", "reason": "x" * 301}),
        ("/api/v1/organise/shifts/1/attendance", None),
    ]:
        data = "" if body is None else json.dumps(body)
        r = client.post(path, data, content_type="application/json")
        print(path, r.status_code, r.content.decode())
    r = client.get("/api/v1/me/signups", {"when": "yesterday"})
    print(r.status_code, r.content.decode())
    assert 0
