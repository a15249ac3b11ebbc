from django.conf import settings
from django.db import models


class Scheme(models.Model):
    """One town's programme: its coin, its rules and its admins."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    coin_name = models.CharField(max_length=40, default="Citizen Coin")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class SchemeAdmin(models.Model):
    """A council officer who runs a scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="admin_memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheme_admin_memberships"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "user"], name="coins_scheme_admin_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} runs {self.scheme}"
