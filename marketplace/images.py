"""Images the board and the shops share. Photos: accepted by what they are, not what
they are called; re-encoded so that nothing hidden (EXIF, GPS, comments) survives;
thumbnails made later, in Celery. QR codes: inline SVG, labelled for screen readers."""

import io
import warnings

import segno
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}
THUMBNAIL_WIDTHS = (320, 640, 1024)


def photo_field(label: str) -> forms.FileField:
    """The optional picture of a form; photo_clean checks what arrives."""
    return forms.FileField(
        label=label,
        required=False,
        help_text="JPEG, PNG or WebP, up to 10 MB. We remove location and camera details.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


def photo_clean(upload: UploadedFile) -> "ContentFile[bytes]":
    """A safe JPEG of the uploaded photo, or a ValidationError saying what is wrong."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError("The photo must be 10 MB or smaller.", code="too_big")
    image = _open(upload)
    image = ImageOps.exif_transpose(image)  # keep it the right way up, then drop EXIF
    name = (upload.name or "photo").rsplit(".", 1)[0][:60] + ".jpg"
    return ContentFile(_jpeg(image), name=name)


def thumbnails_save(photo: "FieldFile") -> dict[str, str]:
    """Save 320/640/1024 px copies beside a stored photo; returns width -> storage name.
    Safe to run twice: it replaces what an earlier run saved."""
    with photo.open("rb") as handle:
        original = handle.read()
    base = (photo.name or "photo").rsplit(".", 1)[0]
    sizes = {}
    for width in THUMBNAIL_WIDTHS:
        name = f"{base}-{width}w.jpg"
        if default_storage.exists(name):
            default_storage.delete(name)
        sizes[str(width)] = default_storage.save(name, ContentFile(thumbnail(original, width)))
    return sizes


def photo_replaced(model: type[Model], pk: int | None, kept: str) -> None:
    """After commit, delete the files of the photo row `pk` had before this save (the
    original and its thumbnails), unless it is still the one kept: a replaced or
    removed photo leaves nothing behind. The caller is inside the saving transaction."""
    before = model._default_manager.filter(pk=pk).values("photo", "photo_sizes").first()
    if not before or not before["photo"] or before["photo"] == kept:
        return
    names = [before["photo"], *before["photo_sizes"].values()]
    transaction.on_commit(lambda: _files_delete(names), robust=True)


def _files_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def thumbnail(data: bytes, width: int) -> bytes:
    image = Image.open(io.BytesIO(data))
    if image.width > width:
        image.thumbnail((width, width * 4))
    return _jpeg(image)


def _open(upload: UploadedFile) -> Image.Image:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Opening reads only the header; our own pixel limit below decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload)
        if image.format not in FORMATS:
            raise ValidationError("Upload a JPEG, PNG or WebP photo.", code="format")
        # The header says how big it will be before anything is decoded.
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(
                "The photo is too large: at most 40 megapixels, please.", code="pixels"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except ValidationError:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            "That file is not a photo we can read. Upload a JPEG, PNG or WebP.", code="invalid"
        ) from exc
    return image


def _jpeg(image: Image.Image) -> bytes:
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    out = io.BytesIO()
    # No exif= argument: nothing of the original's metadata is written.
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def qr_svg(url: str, *, label: str) -> SafeString:
    """An inline SVG QR code, labelled for screen readers."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, dark="#0b0c0c", light="#ffffff")
    return mark_safe(  # noqa: S308 - segno's own markup around our escaped URL
        f'<figure class="qr" role="img" aria-label="{label}">{svg}</figure>'
    )
