"""Writes of the rewards: redemptions (the till), shops and offers, POS keys; import from
the module itself."""
