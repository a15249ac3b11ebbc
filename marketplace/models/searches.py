"""Searches a resident keeps, to be told when a new opportunity matches one."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.urls import reverse

from marketplace.models.board import Opportunity


class SavedSearch(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    # What the search page's filters said, as its form reads them (field -> value).
    query = models.JSONField(default=dict)
    summary = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "saved searches"

    def __str__(self) -> str:
        return self.summary

    @property
    def search_path(self) -> str:
        """The search page showing these filters."""
        return f"{reverse('board:search')}?{urlencode(self.query)}"


class SavedSearchMatch(models.Model):
    """A person was told about this opportunity: one row, so one notification, however
    many of their searches match and however often the fan-out runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "opportunity"], name="saved_search_match_once"),
        ]

    def __str__(self) -> str:
        return f"opportunity {self.opportunity_id} for user {self.user_id}"
