"""The grounds for removal that Circular 126/2020/TT-BQP names (editable data), and the proposals'
step log append-only in the database too."""

from django.db import migrations

from materiel.core.append_only import no_truncate_and_sqlite

GROUNDS = [
    ("het-nien-han", "Hết niên hạn sử dụng"),
    ("hu-hong-nang", "Hư hỏng nặng, không sửa chữa được hoặc sửa chữa không hiệu quả"),
    ("mat", "Bị mất"),
    ("mat-dong-bo", "Mất tính đồng bộ"),
    ("lac-hau", "Lạc hậu, không còn phù hợp"),
    ("to-chuc-lai", "Do sắp xếp, tổ chức lại đơn vị"),
    ("chuyen-giao", "Điều chuyển, chuyển giao ra ngoài"),
]


def load(apps, schema_editor):
    Ground = apps.get_model("disposal", "Ground")
    for n, (code, name) in enumerate(GROUNDS, start=1):
        Ground.objects.get_or_create(code=code, defaults={"name": name, "order": n})


class Migration(migrations.Migration):
    dependencies = [("disposal", "0001_initial")]
    operations = [
        no_truncate_and_sqlite("disposal_step", with_row_triggers=True),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
