"""Draw the home-screen icons the web app manifest names (static/img/icon-*.png).

The PNGs are committed; run this again only to change the artwork."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw

GREEN, YELLOW, WHITE = (11, 92, 63), (243, 198, 35), (255, 255, 255)
SIZES = (192, 512)


def icon(size: int) -> Image.Image:
    """The coin of static/img/icon.svg on a full green square, kept inside the middle
    80% so that Android's masks (circle, squircle) never cut into it."""
    scale = 4  # draw large and shrink, for smooth edges
    big = size * scale
    image = Image.new("RGB", (big, big), GREEN)
    draw = ImageDraw.Draw(image)
    centre = big / 2

    def box(radius: float) -> tuple[float, float, float, float]:
        return (centre - radius, centre - radius, centre + radius, centre + radius)

    draw.ellipse(box(big * 0.34), outline=YELLOW, width=round(big * 0.045))
    draw.arc(box(big * 0.17), start=45, end=315, fill=WHITE, width=round(big * 0.07))
    return image.resize((size, size), Image.Resampling.LANCZOS)


class Command(BaseCommand):
    help = "Draw static/img/icon-192.png and icon-512.png for the web app manifest."

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(settings.BASE_DIR) / "static" / "img"
        for size in SIZES:
            path = folder / f"icon-{size}.png"
            icon(size).save(path, optimize=True)
            self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
