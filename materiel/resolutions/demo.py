"""The demo's resolutions: Resolution 382-NQ/ĐUQSTW (2007) and its successor 1656-NQ/QUTW (2022),
issued above the tree; the military region's resolution implementing 1656 and a province's action
programme implementing that. The numbers, dates and titles of 382 and 1656 are public
(docs/reviews.md); their targets, and the region's and the province's documents, are **examples**:
the targets measured by the indicator catalogue, so that the progress page has figures."""

from datetime import date, timedelta

from materiel.units.models import Unit

from . import services
from .models import Kind, Resolution, TaskState

EXAMPLE = " (ví dụ)"


def seed_resolutions(actor, today: date) -> list[Resolution]:
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    province = Unit.objects.filter(kind__code="provincial-command", dissolved_on__isnull=True).order_by("path").first()
    if root is None or province is None or Resolution.objects.exists():
        return []
    r382 = services.save_resolution(
        actor=actor, number="382-NQ/ĐUQSTW", issued_on=date(2007, 11, 29),
        issuer="Đảng ủy Quân sự Trung ương", title="Về lãnh đạo công tác kỹ thuật trong tình hình mới",
        kind=Kind.RESOLUTION, starts_on=date(2007, 11, 29), ends_on=date(2022, 12, 19),
    )  # fmt: skip
    r1656 = services.save_resolution(
        actor=actor, number="1656-NQ/QUTW", issued_on=date(2022, 12, 20), issuer="Quân ủy Trung ương",
        title="Về lãnh đạo công tác kỹ thuật đến năm 2030 và những năm tiếp theo", kind=Kind.RESOLUTION,
        starts_on=date(2022, 12, 20), implements=None,
    )  # fmt: skip
    region = services.save_resolution(
        actor=actor, number="68-NQ/ĐU" + EXAMPLE, issued_on=date(2023, 3, 15), issuer=f"Đảng ủy {root.name}",
        title="Về lãnh đạo công tác kỹ thuật giai đoạn 2023–2030" + EXAMPLE, kind=Kind.RESOLUTION,
        starts_on=date(2023, 3, 15), unit=root, implements=r1656,
    )  # fmt: skip
    programme = services.save_resolution(
        actor=actor, number="15-CTr/ĐU" + EXAMPLE, issued_on=date(2023, 5, 10), issuer=f"Đảng ủy {province.name}",
        title="Chương trình hành động thực hiện nghị quyết của Đảng ủy Quân khu về công tác kỹ thuật" + EXAMPLE,
        kind=Kind.PROGRAMME, starts_on=date(2023, 5, 10), unit=province, implements=region,
    )  # fmt: skip
    for document, targets in (
        (r382, [("Hệ số kỹ thuật VKTBKT đạt từ 85% trở lên", "technical_coefficient", {}, 85),
                ("Hệ số đồng bộ đạt từ 95% trở lên", "completeness", {}, 95)]),
        (region, [("Hệ số kỹ thuật VKTBKT đạt từ 90% trở lên", "technical_coefficient", {}, 90),
                  ("Hệ số đồng bộ đạt từ 97% trở lên", "completeness", {}, 97),
                  ("Thực hiện đủ các lần kiểm tra kỹ thuật theo phân cấp (từ 95%)", "inspection_compliance", {}, 95),
                  ("100% cán bộ, nhân viên kỹ thuật được bồi dưỡng", "staff_trained", {}, 100)]),
        (programme, [("Hệ số kỹ thuật xe máy đạt từ 92% trở lên", "technical_coefficient", {"category": "xe"}, 92),
                     ("Kho đạt chuẩn nhiệt độ, độ ẩm (từ 90% số lần kiểm tra)", "depot_conditions", {}, 90),
                     ("Số kho vũ khí được cải tạo, nâng cấp (báo cáo)", "", {}, 3)]),
    ):  # fmt: skip
        for text, indicator, params, goal in targets:
            if params.get("category") and not _has_category(params["category"]):
                params = {}
            services.add_target(
                document, actor=actor, text=text + EXAMPLE, indicator=indicator, params=params, goal=goal
            )
    by_hand = programme.targets.get(indicator="")
    for year, value in ((2023, 1), (2024, 2)):
        services.report_value(by_hand, actor=actor, unit=province, year=year, value=value,
                              evidence=f"Báo cáo tổng kết công tác kỹ thuật năm {year}" + EXAMPLE)  # fmt: skip
    done = services.add_task(
        programme, actor=actor, unit=province, text="Cải tạo kho vũ khí trung tâm đạt chuẩn" + EXAMPLE,
        responsible="Phòng Kỹ thuật", deadline=date(2024, 12, 31),
    )  # fmt: skip
    services.note_task(done, actor=actor, text="Đã nghiệm thu, đưa vào sử dụng" + EXAMPLE,
                       written_on=date(2024, 11, 20), state=TaskState.DONE)  # fmt: skip
    late = services.add_task(
        programme, actor=actor, unit=province, text="Trang bị máy hút ẩm cho các phòng vũ khí" + EXAMPLE,
        responsible="Phòng Kỹ thuật", deadline=today - timedelta(days=30),
    )  # fmt: skip
    services.note_task(
        late, actor=actor, text="Đã lập dự toán, chờ kinh phí" + EXAMPLE, written_on=today - timedelta(days=60)
    )
    services.add_task(
        region, actor=actor, unit=root, text="Tổ chức hội thi thợ giỏi toàn quân khu" + EXAMPLE,
        responsible="Cục Kỹ thuật quân khu", deadline=today + timedelta(days=200),
    )  # fmt: skip
    return [r382, r1656, region, programme]


def _has_category(code: str) -> bool:
    from materiel.catalog.models import Category

    return Category.objects.filter(code=code).exists()
