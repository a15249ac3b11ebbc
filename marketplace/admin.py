"""The Django admin of the board and the rewards (each registers its own models)."""

from marketplace.board import admin as board_admin
from marketplace.rewards import admin as rewards_admin

__all__ = ["board_admin", "rewards_admin"]
