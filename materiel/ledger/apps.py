from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "materiel.ledger"
    label = "ledger"
    verbose_name = "Sổ sự kiện"
