from django.db import migrations

# Since 28/6/2025 a province's Border Guard command (kind provincial-border-guard) is dissolved and a
# Ban Chỉ huy Bộ đội Biên phòng is created under the provincial military command.
KINDS = [
    ("border-guard-command", "Ban Chỉ huy Bộ đội Biên phòng tỉnh", 3, False),
]


def load(apps, schema_editor):
    UnitKind = apps.get_model("units", "UnitKind")
    for code, name, echelon, is_depot in KINDS:
        UnitKind.objects.get_or_create(code=code, defaults={"name": name, "echelon": echelon, "is_depot": is_depot})


class Migration(migrations.Migration):
    dependencies = [("units", "0003_handoverroute")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
