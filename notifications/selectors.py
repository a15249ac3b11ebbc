"""Reads of notifications: a person's list and their choices."""

from dataclasses import dataclass

from accounts.models import User
from notifications.kinds import KINDS, SECTIONS, Channels, Kind
from notifications.models import NotificationPreference


@dataclass(frozen=True)
class PreferenceRow:
    kind: Kind
    channels: Channels


def preferences_of(*, user: User) -> dict[str, Channels]:
    """Every registered kind with this person's channels: their choice, else the default."""
    saved = {pref.kind: pref.channels for pref in NotificationPreference.objects.filter(user=user)}
    return {key: saved.get(key, kind.defaults) for key, kind in KINDS.items()}


def preference_sections(*, user: User) -> list[tuple[str, list[PreferenceRow]]]:
    """The same, grouped for the preferences page in the registry's order."""
    current = preferences_of(user=user)
    return [
        (
            section,
            [PreferenceRow(k, current[k.key]) for k in KINDS.values() if k.section == section],
        )
        for section in SECTIONS
    ]
