from datetime import date

from django.db import migrations

# Public sources agree on five grades; the wording is editable reference data.
GRADES = [
    (1, "Cấp 1", "Mới, chưa sử dụng"),
    (2, "Cấp 2", "Đã sử dụng, còn tốt"),
    (3, "Cấp 3", "Hư hỏng, cần sửa chữa vừa"),
    (4, "Cấp 4", "Hư hỏng, cần sửa chữa lớn"),
    (5, "Cấp 5", "Không sửa chữa được, chờ loại khỏi biên chế"),
]


def load(apps, schema_editor):
    GradeDefinition = apps.get_model("catalog", "GradeDefinition")
    CoefficientPolicy = apps.get_model("catalog", "CoefficientPolicy")
    start = date(2000, 1, 1)
    for grade, name, description in GRADES:
        GradeDefinition.objects.get_or_create(
            grade=grade, valid_from=start, defaults={"name": name, "description": description}
        )
    CoefficientPolicy.objects.get_or_create(
        valid_from=start,
        defaults={
            "serviceable_grades": [1, 2],
            "counted_grades": [1, 2, 3, 4, 5],
            "decimals": 1,
            "note": "Mặc định: cấp 1 và cấp 2 là tốt; mẫu số là mọi cấp của trang bị hiện có.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
