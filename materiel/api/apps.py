from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "materiel.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        from materiel.accounts.services import second_factor_reset

        from .tokens import revoke_on_reset

        second_factor_reset.connect(revoke_on_reset, dispatch_uid="materiel-revoke-tokens-on-otp-reset")
