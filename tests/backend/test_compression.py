"""Pages travel gzipped to a browser that accepts it (GZipMiddleware, backend/settings.py),
with the CSRF token masked afresh on every response so compression leaks nothing (BREACH);
and in production each static file has a hashed name, a gzip copy made by collectstatic,
and a Cache-Control that lets the browser keep it for good."""

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings

from marketplace.board.models import Signup
from tests.backend.test_production_settings import PRODUCTION_ENV, ROOT
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

pytestmark = pytest.mark.django_db

ONE_YEAR = 365 * 24 * 60 * 60
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def vary(response: Any) -> list[str]:
    return [part.strip().lower() for part in response.get("Vary", "").split(",")]


def assert_gzipped_page(client: Client, url: str) -> bytes:
    """The page at url, fetched plain and gzipped: the same HTML, far fewer bytes."""
    plain = client.get(url)
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain
    assert "accept-encoding" in vary(plain)

    packed = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(packed)
    assert int(packed["Content-Length"]) == len(packed.content)
    # The policies set above the compression survive it.
    assert "Content-Security-Policy" in packed
    html = gzip.decompress(packed.content)
    assert html.lower().startswith(b"<!doctype html>")
    assert TOKEN.sub(b"", html) == TOKEN.sub(b"", plain.content)  # tokens are masked anew
    assert len(packed.content) < 0.6 * len(html), (len(packed.content), len(html))
    return html


def test_the_board_and_the_home_page_are_gzipped_for_a_browser_that_asks(client: Client) -> None:
    make_shift(title="Community gardening")
    board = assert_gzipped_page(client, "/opportunities/")
    assert b"Community gardening" in board
    assert_gzipped_page(client, "/")


def test_a_logged_in_page_is_gzipped_and_its_csrf_token_differs_every_time(
    client: Client,
) -> None:
    make_shift(title="Community gardening")
    client.force_login(make_user("fern@example.org"))
    html = assert_gzipped_page(client, "/opportunities/?q=garden")
    assert b"Community gardening" in html

    # BREACH: the same secret is sent under a new mask each time, so no two pages repeat a
    # token an attacker could guess at byte by byte; the gzip bodies differ in length too.
    tokens, lengths = set(), set()
    for _ in range(6):
        page = client.get("/opportunities/?q=garden", headers={"accept-encoding": "gzip"})
        found = TOKEN.findall(gzip.decompress(page.content))
        assert found, "the board's save-search form carries a CSRF token"
        tokens.update(found)
        lengths.add(len(page.content))
    assert len(tokens) >= 6
    assert len(lengths) > 1


def test_a_tiny_response_is_not_compressed(client: Client) -> None:
    response = client.get("/healthz", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert len(response.content) < 200
    assert "Content-Encoding" not in response


def test_a_calendar_download_arrives_whole_when_gzipped(client: Client) -> None:
    # Long enough that gzip, random padding and all, always comes out shorter.
    about = "Bring gloves and a flask; we weed the beds by the library and the bus stop. " * 20
    shift = make_shift(title="Community gardening", description=about)
    user = make_user("fern@example.org")
    Signup.objects.create(shift=shift, user=user, status=Signup.State.CONFIRMED)
    client.force_login(user)
    url = f"/shifts/{shift.pk}/calendar.ics"
    plain = client.get(url)
    packed = client.get(url, headers={"accept-encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert packed["Content-Disposition"] == plain["Content-Disposition"]
    assert gzip.decompress(packed.content) == plain.content
    assert b"Community gardening" in plain.content


def production_static_settings() -> dict[str, Any]:
    """The static-file settings production actually runs with, read in a subprocess."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'STORAGES': s.STORAGES, 'WHITENOISE_USE_FINDERS': "
        "s.WHITENOISE_USE_FINDERS, 'WHITENOISE_AUTOREFRESH': s.WHITENOISE_AUTOREFRESH, "
        "'DEBUG': s.DEBUG, 'MIDDLEWARE': s.MIDDLEWARE}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_in_production_static_files_are_hashed_precompressed_and_cached_for_good(
    tmp_path: Path,
) -> None:
    production = production_static_settings()
    assert production["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert production["WHITENOISE_USE_FINDERS"] is False
    assert production["DEBUG"] is False
    middleware = production["MIDDLEWARE"]
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "django.middleware.gzip.GZipMiddleware"
    )

    root = tmp_path / "staticfiles"
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=production["STORAGES"],
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        DEBUG=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        url = staticfiles_storage.url("css/site.css")
        hashed = re.fullmatch(r"/static/css/site\.([0-9a-f]{12})\.css", url)
        assert hashed, url
        assert (root / f"css/site.{hashed[1]}.css.gz").exists()
        source = (ROOT / "static/css/site.css").read_bytes()

        client = Client()  # a new one, so WhiteNoise starts on the collected files
        # gzip alone: the .br copy WhiteNoise also serves exists only where brotli is installed.
        packed = client.get(url, headers={"accept-encoding": "gzip"})
        assert packed.status_code == 200
        assert packed["Content-Encoding"] == "gzip"
        assert "accept-encoding" in vary(packed)
        cache = [part.strip() for part in packed["Cache-Control"].split(",")]
        assert "immutable" in cache and "public" in cache
        max_age = int(next(p for p in cache if p.startswith("max-age="))[len("max-age=") :])
        assert max_age >= ONE_YEAR
        body = b"".join(packed.streaming_content)  # type: ignore[attr-defined]
        packed.close()
        assert gzip.decompress(body) == source
        assert len(body) * 3 < len(source)

        plain = client.get(url)
        assert "Content-Encoding" not in plain
        assert b"".join(plain.streaming_content) == source  # type: ignore[attr-defined]
        plain.close()

        # A name without its hash may change under the same URL: briefly cached only.
        unhashed = client.get("/static/css/site.css")
        assert unhashed.status_code == 200
        assert "immutable" not in unhashed["Cache-Control"]
        unhashed.close()
