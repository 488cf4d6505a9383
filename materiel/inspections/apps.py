from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "materiel.inspections"
    label = "inspections"
    verbose_name = "Kiểm tra kỹ thuật"

    def ready(self) -> None:
        from materiel.ledger import kinds

        from .kinds import READINESS_KIND, clear_after_repair

        kinds.register(READINESS_KIND)  # docs/event-kinds.md: the app that owns a kind declares it
        kinds.follow("repair_end", clear_after_repair)  # repaired: serviceable again, no reason
