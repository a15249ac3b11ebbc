import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from PIL import Image

from marketplace.board.models import GroupOrganiser, Opportunity
from marketplace.images import MAX_BYTES, THUMBNAIL_WIDTHS
from tests.marketplace.factories import make_group
from tests.marketplace.test_opportunity_edit import edit_data, form_data

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (1600, 1200), "seagreen")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (53.0, 48.0, 0.0), 3: "W", 4: (1.0, 33.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def post(client: Client, upload: SimpleUploadedFile) -> str:
    group = make_group()
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    data = {**form_data(), "photo": upload}
    response = client.post(f"/organise/groups/{group.pk}/opportunities/new/", data)
    return response.content.decode()


def test_a_photo_is_stored_without_its_location_and_gets_thumbnails(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(client, SimpleUploadedFile("beach.jpg", original, content_type="image/jpeg"))
    # The thumbnail task (and, as it is published, the saved-search fan-out), queued
    # only once the save committed.
    assert len(callbacks) == 2
    opportunity = Opportunity.objects.get()
    with opportunity.photo.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(GPS_IFD)
    opportunity.refresh_from_db()
    assert sorted(int(w) for w in opportunity.photo_sizes) == list(THUMBNAIL_WIDTHS)
    for width, name in opportunity.photo_sizes.items():
        with default_storage.open(name) as handle:
            assert Image.open(handle).width == int(width)
    page = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "640w" in page


def test_a_text_file_named_jpg_is_refused(client: Client) -> None:
    page = post(client, SimpleUploadedFile("cat.jpg", b"just some words", "image/jpeg"))
    assert "That file is not a photo we can read." in page
    assert not Opportunity.objects.exists()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(client: Client) -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 megapixels in a few kB
    assert len(out.getvalue()) < 100_000
    page = post(client, SimpleUploadedFile("bomb.png", out.getvalue(), "image/png"))
    assert "at most 40 megapixels" in page
    assert not Opportunity.objects.exists()


def test_a_25_mb_file_is_refused(client: Client) -> None:
    page = post(client, SimpleUploadedFile("huge.jpg", b"\xff" * (25 * 1024 * 1024)))
    assert "The photo must be 10 MB or smaller." in page
    assert not Opportunity.objects.exists()


def test_a_gif_is_refused_by_its_content_whatever_its_name(client: Client) -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    page = post(client, SimpleUploadedFile("photo.png", out.getvalue(), "image/png"))
    assert "Upload a JPEG, PNG or WebP photo." in page
    assert not Opportunity.objects.exists()


def test_a_file_over_the_limit_is_not_kept_past_it_as_it_arrives(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self: TemporaryFileUploadHandler, raw_data: bytes, start: int) -> None:
        kept.append(len(raw_data))
        original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    page = post(client, SimpleUploadedFile("huge.jpg", b"\xff" * (40 * 1024 * 1024)))
    assert "The photo must be 10 MB or smaller." in page
    assert sum(kept) <= MAX_BYTES  # of 40 MB sent, no more than the limit was written down


def test_a_replaced_or_removed_photo_leaves_no_files_behind(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SimpleUploadedFile("first.jpg", jpeg_with_gps(), "image/jpeg"))
    opportunity = Opportunity.objects.get()
    first = [opportunity.photo.name, *opportunity.photo_sizes.values()]
    assert all(default_storage.exists(name) for name in first) and len(first) == 4
    edit = f"/organise/opportunities/{opportunity.pk}/edit/"
    replacement = SimpleUploadedFile("second.jpg", jpeg_with_gps(), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        data = {**edit_data(), "photo": replacement}
        assert client.post(edit, data).status_code == 302
    opportunity.refresh_from_db()
    assert not any(default_storage.exists(name) for name in first)
    second = [opportunity.photo.name, *opportunity.photo_sizes.values()]
    assert all(default_storage.exists(name) for name in second)

    with django_capture_on_commit_callbacks(execute=True):
        data = {**edit_data(), "photo-clear": "on"}
        assert client.post(edit, data).status_code == 302
    opportunity.refresh_from_db()
    assert not opportunity.photo
    assert not any(default_storage.exists(name) for name in second)
