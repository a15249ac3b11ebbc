"""The opportunity board: community groups, opportunities and shifts, sign-ups, hours,
calendar, saved searches. Never imports marketplace.rewards."""
