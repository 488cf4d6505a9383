from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "materiel.maintenance"
    label = "maintenance"
    verbose_name = "Bảo dưỡng"

    def ready(self) -> None:
        from materiel.ledger import kinds

        from .kinds import MAINTENANCE_DONE_KIND

        kinds.register(MAINTENANCE_DONE_KIND)  # docs/event-kinds.md: the app that owns a kind declares it
