from django.db import migrations

# Echelons are data: add or rename kinds without touching code.
KINDS = [
    ("military-region", "Quân khu", 1, False),
    ("provincial-command", "Bộ Chỉ huy Quân sự tỉnh", 2, False),
    ("provincial-border-guard", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", 2, False),
    ("district-command", "Ban Chỉ huy Quân sự huyện", 3, False),
    ("regional-defence-command", "Ban Chỉ huy Phòng thủ khu vực", 3, False),
    ("staff-office", "Cơ quan, phòng, ban", 3, False),
    ("regiment", "Trung đoàn", 3, False),
    ("battalion", "Tiểu đoàn", 4, False),
    ("company", "Đại đội", 5, False),
    ("border-post", "Đồn Biên phòng", 3, False),
    ("commune-command", "Ban Chỉ huy Quân sự xã", 4, False),
    ("militia", "Dân quân", 5, False),
    ("depot", "Kho", 4, True),
    ("repair-station", "Trạm sửa chữa", 4, False),
]


def load(apps, schema_editor):
    UnitKind = apps.get_model("units", "UnitKind")
    for code, name, echelon, is_depot in KINDS:
        UnitKind.objects.get_or_create(code=code, defaults={"name": name, "echelon": echelon, "is_depot": is_depot})


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
