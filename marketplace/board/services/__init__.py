"""Writes on the board: each module owns one part (signups, groups, opportunities,
shifts, hours, messages, reminders, searches); import from the module itself."""
