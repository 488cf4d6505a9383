from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "materiel.ledger"
    label = "ledger"
    verbose_name = "Sổ sự kiện"

    def ready(self) -> None:
        from .register_kinds import register_all

        register_all()  # the register's own event kinds (ledger.kinds: every app declares its own)
