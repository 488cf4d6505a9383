from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "materiel.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from . import audit

        user_locked_out.connect(audit.on_locked_out, dispatch_uid="materiel-audit-lockout")
