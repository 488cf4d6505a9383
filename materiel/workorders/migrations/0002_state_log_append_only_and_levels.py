from django.db import migrations

from materiel.core.append_only import append_only, no_truncate_and_sqlite

# The usual three levels (sửa chữa nhỏ / vừa / lớn), editable on the catalogue page afterwards.
LEVELS = [
    ("nho", "Sửa chữa nhỏ", ["unit", "station", "workshop", "factory"]),
    ("vua", "Sửa chữa vừa", ["station", "workshop", "factory"]),
    ("lon", "Sửa chữa lớn", ["workshop", "factory"]),
]


def add_levels(apps, schema_editor):
    RepairLevel = apps.get_model("workorders", "RepairLevel")
    for n, (code, name, kinds) in enumerate(LEVELS, start=1):
        RepairLevel.objects.get_or_create(code=code, defaults={"name": name, "facility_kinds": kinds, "order": n})


class Migration(migrations.Migration):
    """A work order's state log as the audit log: no UPDATE, DELETE or TRUNCATE."""

    dependencies = [("workorders", "0001_initial")]
    operations = [
        append_only("workorders_statechange"),
        no_truncate_and_sqlite("workorders_statechange"),
        migrations.RunPython(add_levels, migrations.RunPython.noop),
    ]
