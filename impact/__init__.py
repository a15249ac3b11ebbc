"""What the scheme achieved, for the council: figures by ward and month, with every count
of people too small to share suppressed. Reads everything; nothing imports it."""
