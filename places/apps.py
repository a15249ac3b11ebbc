"""The places app."""

from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "Places"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        from places.towns import on_user_signed_up

        user_signed_up.connect(on_user_signed_up, dispatch_uid="places_residence_at_signup")
