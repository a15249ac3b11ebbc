"""The two sides of the market: the board (community groups, opportunities, hours) and
the rewards (shops, offers, the till). They never import each other."""
