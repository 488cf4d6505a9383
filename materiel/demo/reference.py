"""Re-apply the reference data that migrations load (unit kinds, grades, coefficient and đồng bộ policies, kinds of
storage place and their thresholds, disposal grounds, the inspections' example reasons, templates
and duty matrix, the technical staff's specialties, skill levels and kinds of training and certification,
the layout profiles of documents).

Idempotent. Needed where a database was emptied after migrating (tests that flush tables).
"""

from importlib import import_module

from django.apps import apps

LOADERS = [
    "materiel.units.migrations.0002_unit_kinds",
    "materiel.units.migrations.0004_border_guard_command",
    "materiel.catalog.migrations.0002_default_reference_data",
    "materiel.catalog.migrations.0005_completeness_policy",
    "materiel.storage.migrations.0002_place_kind_examples",
    "materiel.storage.migrations.0004_depot_logs_examples",
    "materiel.disposal.migrations.0002_grounds_and_step_log",
    "materiel.inspections.migrations.0002_examples",
    "materiel.people.migrations.0002_examples",
    "materiel.documents.migrations.0004_two_profiles",
]


def ensure_reference_data() -> None:
    for name in LOADERS:
        import_module(name).load(apps, None)
