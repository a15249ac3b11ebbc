"""Bonuses for volunteering that brings people together (coins.models.BonusRule)."""

from marketplace.board.models import Hours, Shift


def bonuses_award(*, shift: Shift, confirmed: list[Hours]) -> None:
    """Award each bonus rule the newly confirmed hours on this shift meet."""
    return None  # written by the bonus helper in this change
