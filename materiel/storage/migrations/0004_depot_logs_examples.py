"""The depot logs: append-only in the database too, and the example thresholds (docs/glossary.md)."""

from django.db import migrations

from materiel.core.append_only import no_truncate_and_sqlite

# A kind of store for which a public standard names a range: the civil state-reserve standard for
# optical and electronic equipment (20–25 °C, 45–85 % RH). An example, editable as data.
OPTICS = ("kho-quang-dien-tu", "Kho khí tài quang học, điện tử", "Kho ống nhòm, khí tài quang học, thiết bị điện tử")
EXAMPLE = [("temperature", "20", "25"), ("humidity", "45", "85")]
SOURCE = "Ví dụ: tiêu chuẩn bảo quản hàng dự trữ quốc gia (khí tài quang học, điện tử)"


def load(apps, schema_editor):
    PlaceKind = apps.get_model("storage", "PlaceKind")
    ConditionThreshold = apps.get_model("storage", "ConditionThreshold")
    code, name, note = OPTICS
    kind, _ = PlaceKind.objects.get_or_create(code=code, defaults={"name": name, "note": note})
    for measure, low, high in EXAMPLE:
        ConditionThreshold.objects.get_or_create(
            kind=kind, measure=measure, defaults={"low": low, "high": high, "note": SOURCE}
        )


class Migration(migrations.Migration):
    dependencies = [("storage", "0003_depot_logs")]
    operations = [
        no_truncate_and_sqlite("storage_depotreading", "storage_acknowledgement", with_row_triggers=True),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
