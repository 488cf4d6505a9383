"""The reference data the product ships: EXAMPLES (docs/glossary.md), editable as data. The real
inspection regime of each echelon is not public; these rows show its shape."""

from django.db import migrations

REASONS = [
    ("cho-sua-chua", "Chờ sửa chữa"),
    ("cho-vat-tu", "Chờ vật tư, phụ tùng"),
    ("cho-quyet-dinh", "Chờ quyết định"),
    ("dang-sua-chua", "Đang sửa chữa"),
    ("phat-hien-nghiem-trong", "Phát hiện nghiêm trọng khi kiểm tra"),
]

# code, name, kind, steps: (text, method, unit, lower, upper, severity, effect, reason)
TEMPLATES = [
    (
        "sung-bo-binh-thuong-xuyen",
        "Kiểm tra thường xuyên súng bộ binh (mẫu ví dụ)",
        "regular",
        [
            ("Súng sạch, không han gỉ", "pass_fail", "", None, None, "minor", "note", None),
            (
                "Bộ phận cò, kim hỏa hoạt động tốt",
                "pass_fail",
                "",
                None,
                None,
                "critical",
                "not_serviceable",
                "phat-hien-nghiem-trong",
            ),
            ("Nòng súng không nứt, không phình", "pass_fail", "", None, None, "critical", "work_order", None),
            ("Đủ phụ tùng đồng bộ kèm theo", "pass_fail", "", None, None, "major", "note", None),
        ],
    ),
    (
        "xe-dinh-ky",
        "Kiểm tra định kỳ xe (mẫu ví dụ)",
        "periodic",
        [
            ("Áp suất lốp", "measure", "kPa", 200, 260, "major", "work_order", None),
            (
                "Phanh hoạt động tốt",
                "pass_fail",
                "",
                None,
                None,
                "critical",
                "not_serviceable",
                "phat-hien-nghiem-trong",
            ),
            ("Dầu máy đủ mức", "pass_fail", "", None, None, "minor", "note", None),
        ],
    ),
]

# inspector, place kind code, frequency, template code
MATRIX = [
    ("Chỉ huy tiểu đội, trung đội", "phong-vu-khi", "daily", "sung-bo-binh-thuong-xuyen"),
    ("Chỉ huy đại đội", "phong-vu-khi", "weekly", "sung-bo-binh-thuong-xuyen"),
    ("Trợ lý kỹ thuật đơn vị", "kho", "monthly", "sung-bo-binh-thuong-xuyen"),
    ("Cơ quan kỹ thuật cấp trên", "kho", "yearly", "sung-bo-binh-thuong-xuyen"),
    ("Trợ lý kỹ thuật đơn vị", "nha-xe", "quarterly", "xe-dinh-ky"),
    ("Lái xe, chỉ huy xe", "nha-xe", "use", "xe-dinh-ky"),
]


def load(apps, schema_editor):
    Reason = apps.get_model("inspections", "ReadinessReason")
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Step = apps.get_model("inspections", "TemplateStep")
    Duty = apps.get_model("inspections", "DutyRow")
    PlaceKind = apps.get_model("storage", "PlaceKind")
    reasons = {code: Reason.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in REASONS}
    for code, name, kind, steps in TEMPLATES:
        if Template.objects.filter(code=code).exists():
            continue
        template = Template.objects.create(code=code, version=1, name=name, kind=kind)
        for n, (text, method, unit, lower, upper, severity, effect, reason) in enumerate(steps, start=1):
            Step.objects.create(
                template=template,
                position=n,
                text=text,
                method=method,
                measure_unit=unit,
                lower=lower,
                upper=upper,
                severity=severity,
                effect=effect,
                reason=reasons[reason] if reason else None,
            )
    if not Duty.objects.exists():
        for inspector, place_kind, frequency, template in MATRIX:
            Duty.objects.create(
                inspector=inspector,
                place_kind=PlaceKind.objects.filter(code=place_kind).first(),
                frequency=frequency,
                template_code=template,
            )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial"), ("storage", "0002_place_kind_examples")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
