"""Object permissions of the board and the rewards (each adds its own), loaded by rules'
autodiscovery."""

from marketplace.board import rules as board_rules
from marketplace.rewards import rules as rewards_rules

__all__ = ["board_rules", "rewards_rules"]
