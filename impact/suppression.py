"""Small counts of people are never shown: a cell under the scheme's k (default 10, the
ONS Longitudinal Study's rule) reads "fewer than 10", and so does a second cell wherever
one hidden cell could be worked out from the total shown beside it.

A cell is an int, or None once suppressed. Zero is shown: it tells nothing of anyone."""

from collections.abc import Sequence

Cell = int | None


def hidden(value: int, k: int) -> bool:
    return 0 < value < k


def column_suppressed(values: Sequence[int], *, total: int, k: int) -> tuple[list[Cell], Cell]:
    """A column of counts and its total, as they may be shown.

    Primary: every count from 1 to k-1. Secondary: while exactly one shown cell of the
    column is hidden (so total minus the others would give it), hide the smallest other
    non-zero count too, or the total where there is none."""
    cells: list[Cell] = [None if hidden(v, k) else v for v in values]
    shown_total: Cell = None if hidden(total, k) else total
    while shown_total is not None and sum(1 for c in cells if c is None) == 1:
        others = [(v, i) for i, (v, c) in enumerate(zip(values, cells, strict=True)) if c]
        if not others:
            shown_total = None
            break
        cells[min(others)[1]] = None
    return cells, shown_total


def linked(values: Sequence[int], people: Sequence[Cell]) -> list[Cell]:
    """Figures that belong to a cell of people (its hours, its coins) hide with it."""
    return [None if person is None else value for value, person in zip(values, people, strict=True)]


def rounded(cell: Cell, *, to_five: bool) -> Cell:
    """A shown count of people to the nearest 5 (halves up) where the scheme asks for it;
    never to 0, which would say nobody."""
    if not to_five or not cell:
        return cell
    return max(5, (cell * 2 + 5) // 10 * 5)


def shown(cell: Cell, k: int) -> str:
    return f"fewer than {k}" if cell is None else f"{cell:,}"
