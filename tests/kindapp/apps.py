from django.apps import AppConfig


class KindAppConfig(AppConfig):
    name = "tests.kindapp"
    label = "kindapp"

    def ready(self) -> None:
        from materiel.ledger import kinds

        from .kinds import CALIBRATION_KIND

        kinds.register(CALIBRATION_KIND)
