from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_manifest_lets_a_phone_keep_the_site_as_an_app(client: Client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "Citizen Coin"
    assert manifest["short_name"] == "Citizen Coin"
    assert (manifest["start_url"], manifest["display"]) == ("/", "standalone")
    assert manifest["theme_color"] == "#0b5c3f"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        path = Path(settings.BASE_DIR) / icon["src"].lstrip("/")
        width = int(icon["sizes"].split("x")[0])
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (width, width)


def test_every_page_names_the_manifest(client: Client) -> None:
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/").content.decode()


def test_the_service_worker_is_javascript_served_from_the_root_for_the_whole_site(
    client: Client,
) -> None:
    response = client.get("/sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert 'var OFFLINE = "/offline/";' in script
    assert 'var PRECACHE = [OFFLINE, "/static/css/site.css"];' in script
    assert 'addEventListener("push"' in script
    assert 'addEventListener("notificationclick"' in script


def test_the_offline_page_is_the_same_for_everyone(client: Client, resident: User) -> None:
    anonymous = client.get("/offline/")
    assert anonymous.status_code == 200
    assert "You're offline" in anonymous.content.decode()
    client.force_login(resident)
    # Cached by the worker for whoever uses the phone next: nothing of this person in it.
    assert client.get("/offline/").content == anonymous.content


def test_site_js_registers_the_worker_only_where_browsers_support_it() -> None:
    script = (Path(settings.BASE_DIR) / "static" / "js" / "site.js").read_text()
    assert '"serviceWorker" in navigator' in script
    assert 'navigator.serviceWorker.register("/sw.js", { scope: "/" })' in script
