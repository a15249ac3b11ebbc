"""The marketplace app: one app label for the board and the rewards."""

from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        # coins moves amounts and never names us: tell it what it may ask of our groups.
        from coins.owners import groups_register
        from coins.volunteering import volunteering_register
        from marketplace.board.groups import coin_owners
        from marketplace.board.volunteering import volunteering

        groups_register(coin_owners())
        volunteering_register(volunteering())
