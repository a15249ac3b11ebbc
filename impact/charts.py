"""Charts drawn on the server as SVG: bars for hours, a line for volunteers, and bars
across the page by ward. Each has a caption and the table of its figures beside it, so
nothing depends on seeing it."""

from dataclasses import dataclass
from datetime import date

from impact.suppression import Cell

WIDTH, HEIGHT, LEFT, BOTTOM = 400, 200, 44, 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the month under the bar, or "" where it would crowd its neighbours
    name: str  # the month, for the tooltip (<title>)
    value: str  # for the tooltip, "fewer than 10" where hidden
    dot: tuple[float, float] | None = None  # a line chart's point (x, y); None: a gap


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    points: str  # a polyline's points, for a line chart; "" for bars
    top: int  # the value at the top of the scale
    mark: float | None = None  # the height of a reference line (a national figure)
    width: int = WIDTH
    height: int = HEIGHT


def chart(
    title: str,
    months: list[date],
    cells: list[Cell],
    *,
    line: bool,
    shown: list[str],
    per: int = 1,
    top: int | None = None,
    mark: int | None = None,
) -> Chart:
    """Hidden cells (None) leave a gap: a chart must not show what the table hides.
    `per` is how many of a cell's units make one of the scale's (60 minutes an hour);
    `top` fixes the scale (100 for a share), `mark` draws a line across at that value."""
    known = [c for c in cells if c is not None]
    top = top or _nice(-(-max(known, default=0) // per))
    step = (WIDTH - LEFT) / max(len(months), 1)
    every = -(-len(months) // 6)  # at most six month names, so that none overlap on a phone
    usable = HEIGHT - BOTTOM - 10
    bars, points = [], []
    for n, (month, cell) in enumerate(zip(months, cells, strict=True)):
        height = 0.0 if cell is None else usable * cell / (top * per)
        x = LEFT + n * step
        point = None if cell is None else (x + step / 2, HEIGHT - BOTTOM - height)
        bars.append(
            Bar(
                x + step * 0.15,
                HEIGHT - BOTTOM - height,
                step * 0.7,
                height,
                f"{month:%b}" if n % every == 0 else "",
                f"{month:%B %Y}",
                shown[n],
                point if line else None,
            )
        )
        if point is not None:
            points.append(f"{point[0]:.1f},{point[1]:.1f}")
    marked = None if mark is None else HEIGHT - BOTTOM - usable * mark / (top * per)
    return Chart(title, bars, " ".join(points) if line else "", top, marked)


@dataclass(frozen=True)
class Across:
    """One bar of a chart read across the page: its name above it, its value after it."""

    y: float
    width: float
    label: str
    value: str


@dataclass(frozen=True)
class AcrossChart:
    title: str
    bars: list[Across]
    width: int
    height: int


ACROSS_ROW, ACROSS_LONGEST = 46, 300


def across_chart(title: str, labels: list[str], cells: list[Cell], shown: list[str]) -> AcrossChart:
    """Bars across the page, one a row, with the label above so that long names fit a
    phone. A hidden cell (None) draws no bar, and its value reads as the table's does."""
    top = max((c for c in cells if c is not None), default=0) or 1
    bars = [
        Across(n * ACROSS_ROW, 0.0 if cell is None else ACROSS_LONGEST * cell / top, label, value)
        for n, (label, cell, value) in enumerate(zip(labels, cells, shown, strict=True))
    ]
    return AcrossChart(title, bars, WIDTH, max(len(bars), 1) * ACROSS_ROW)


def _nice(value: int) -> int:
    """A round top for the scale: 1, 2 or 5 times a power of ten, at least the value."""
    steps = sorted(m * 10**e for e in range(13) for m in (1, 2, 5))
    return next(step for step in steps if step >= value)
