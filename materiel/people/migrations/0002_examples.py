"""Example reference data of the technical staff: specialties, skill levels, kinds of training and
of certification, recognition levels. Every row is an example (docs/glossary.md) and editable."""

from django.db import migrations

SPECIALTIES = [
    ("quan-khi", "Quân khí"),
    ("xe-may", "Xe máy"),
    ("thong-tin", "Thông tin"),
    ("cong-binh", "Công binh"),
    ("hoa-hoc", "Hóa học"),
    ("ra-da", "Ra đa"),
    ("tau-thuyen", "Tàu thuyền"),
]
SKILL_LEVELS = [(f"bac-{n}", f"Bậc {n}/7", n) for n in range(1, 8)]
TRAINING_KINDS = [("dao-tao", "Đào tạo"), ("tap-huan", "Tập huấn"), ("boi-duong", "Bồi dưỡng")]
# (code, name, specialty code or None, months valid or None)
CERTIFICATION_KINDS = [
    ("sua-chua-vu-khi", "Chứng chỉ sửa chữa vũ khí bộ binh", "quan-khi", 60),
    ("thu-kho-dan", "Chứng chỉ thủ kho đạn dược", "quan-khi", 36),
    ("lai-xe", "Giấy phép lái xe quân sự", "xe-may", 60),
    ("sua-chua-xe", "Chứng chỉ sửa chữa xe ô tô", "xe-may", 60),
    ("khai-thac-thong-tin", "Chứng chỉ khai thác khí tài thông tin", "thong-tin", 48),
    ("ra-pha-bom-min", "Chứng chỉ rà phá bom mìn", "cong-binh", 36),
    ("phong-hoa", "Chứng chỉ khí tài phòng hóa", "hoa-hoc", 48),
    ("an-toan-ky-thuat", "Chứng chỉ an toàn kỹ thuật", None, 24),
]
LEVELS = [
    ("co-so", "Cấp cơ sở (đơn vị)"),
    ("tinh", "Cấp tỉnh, sư đoàn"),
    ("quan-khu", "Cấp quân khu, quân chủng"),
    ("toan-quan", "Toàn quân"),
]


def load(apps, schema_editor):
    Specialty = apps.get_model("people", "Specialty")
    SkillLevel = apps.get_model("people", "SkillLevel")
    TrainingKind = apps.get_model("people", "TrainingKind")
    CertificationKind = apps.get_model("people", "CertificationKind")
    Level = apps.get_model("people", "Level")
    for n, (code, name) in enumerate(SPECIALTIES, start=1):
        Specialty.objects.get_or_create(code=code, defaults={"name": name, "order": n})
    for code, name, rank in SKILL_LEVELS:
        SkillLevel.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})
    for n, (code, name) in enumerate(TRAINING_KINDS, start=1):
        TrainingKind.objects.get_or_create(code=code, defaults={"name": name, "order": n})
    for n, (code, name, specialty, months) in enumerate(CERTIFICATION_KINDS, start=1):
        CertificationKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "specialty": Specialty.objects.filter(code=specialty).first() if specialty else None,
                "valid_months": months,
                "order": n,
            },
        )
    for n, (code, name) in enumerate(LEVELS, start=1):
        Level.objects.get_or_create(code=code, defaults={"name": name, "order": n})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
