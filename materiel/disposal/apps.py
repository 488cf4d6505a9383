from django.apps import AppConfig


class DisposalConfig(AppConfig):
    name = "materiel.disposal"
    label = "disposal"
    verbose_name = "Loại khỏi biên chế, thanh lý"

    def ready(self) -> None:
        from materiel.ledger import kinds

        from .guards import decided_elsewhere

        kinds.guard_reversal(decided_elsewhere)
