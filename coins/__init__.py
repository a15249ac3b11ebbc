"""Citizen Coins: schemes and their rules, the double-entry ledger, wallets and gifts,
expiry, sponsorship in GBP and settlement. Never names marketplace (coins.owners)."""
