from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "materiel.storage"
    label = "storage"
    verbose_name = "Kho và nơi cất giữ"

    def ready(self) -> None:
        from materiel.ledger import kinds

        from .kinds import PLACES, RELOCATION_KIND

        kinds.register(RELOCATION_KIND)  # docs/event-kinds.md: the app that owns a kind declares it
        # A place is lost when its item changes unit, by a transfer or a reorganisation: the
        # register's kinds, which the projection observes (docs/storage-and-counts.md).
        kinds.observe(PLACES)
