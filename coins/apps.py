"""The coins app."""

from django.apps import AppConfig


class CoinsConfig(AppConfig):
    name = "coins"
    verbose_name = "Citizen Coins"
