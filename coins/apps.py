"""The coins app."""

from django.apps import AppConfig


class CoinsConfig(AppConfig):
    name = "coins"
    verbose_name = "Citizen Coins"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed

        from coins.gifts import gifts_claim_on_confirm
        from coins.platform import on_email_confirmed

        # Gifts held for an address become the person's once they confirm it is theirs.
        email_confirmed.connect(gifts_claim_on_confirm, dispatch_uid="coins_gifts_claim")
        # An address asked to run a new town runs it once it is confirmed.
        email_confirmed.connect(on_email_confirmed, dispatch_uid="coins_admin_invites")
