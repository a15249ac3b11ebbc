"""Reads for the pulse."""

from cohesion.models import PulseInvite

TOKEN_LENGTH = 64


def pulse_invite_found(token: str) -> PulseInvite | None:
    """The invite a link's token names, or None for one we never made."""
    if not token or len(token) > TOKEN_LENGTH:
        return None
    return PulseInvite.objects.filter(token=token).first()
