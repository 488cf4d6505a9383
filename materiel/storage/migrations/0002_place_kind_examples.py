"""The kinds of storage place the product ships: examples (docs/glossary.md), editable as data."""

from django.db import migrations

EXAMPLES = [
    ("kho", "Kho", "Kho vũ khí, đạn, khí tài của đơn vị"),
    ("phong-vu-khi", "Phòng (buồng) vũ khí", "Nơi để vũ khí trang bị thường xuyên của đại đội, trung đội"),
    ("tu-sung", "Tủ súng", "Tủ, giá súng trong phòng vũ khí"),
    ("nha-xe", "Nhà xe", "Nhà để xe, khí tài cơ động"),
]


def load(apps, schema_editor):
    PlaceKind = apps.get_model("storage", "PlaceKind")
    for code, name, note in EXAMPLES:
        PlaceKind.objects.get_or_create(code=code, defaults={"name": name, "note": note})


class Migration(migrations.Migration):
    dependencies = [("storage", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
