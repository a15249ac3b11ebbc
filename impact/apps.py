"""The impact app."""

from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = "Impact"

    def ready(self) -> None:
        # The board and coins link to our reports without naming this app.
        from django.urls import reverse

        from coins import links as coin_links
        from marketplace.board import links

        links.group_report_url[:] = [lambda group: reverse("impact:group_report", args=[group.pk])]
        coin_links.sponsorship_report_url[:] = [
            lambda paid: reverse("impact:sponsor_report", args=[paid.pk])
        ]
