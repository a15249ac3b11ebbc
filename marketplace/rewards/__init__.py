"""Rewards: shops, their offers, residents' codes and the till, POS keys. Never imports
marketplace.board."""
