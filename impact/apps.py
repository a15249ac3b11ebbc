"""The impact app."""

from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = "Impact"

    def ready(self) -> None:
        # The board links each group to its report without naming this app.
        from django.urls import reverse

        from marketplace.board import links

        links.group_report_url[:] = [lambda group: reverse("impact:group_report", args=[group.pk])]
