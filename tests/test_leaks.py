"""No user reaches another subtree's data, whatever URL they type.

Every URL pattern is discovered from the resolver, so a new page is walked the day it is added.
Pages whose `pk` names an object declare its model with `core.views.object_view`; an undeclared one
fails here. For two sibling provinces, each side's users (a technical officer and an administrator)
request every page — plain, with the other side's unit in the query, on a past day — and every
object page with every id of the other side's objects, by GET and POST. Object pages must answer
404 and no response may contain the other side's unit names, serial numbers, holders or usernames.
The REST API is walked from its own OpenAPI schema: every operation, with a token and with a session,
with the other side's unit codes and object ids in its path, query and body.
"""

import functools
import io
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from materiel.accounts.models import Role, User
from materiel.accounts.services import create_user
from materiel.api.main import api
from materiel.api.models import ApiToken
from materiel.api.tokens import issue_token
from materiel.catalog.models import AuthorizedHolding, Category, EquipmentType
from materiel.catalog.services import set_holding
from materiel.counts import services as counts
from materiel.counts.models import Campaign, Sheet, SheetLine
from materiel.disposal import services as disposal
from materiel.disposal.models import Ground, Proposal
from materiel.documents.models import HandoverRecord, LayoutProfile
from materiel.documents.services import Parties, hand_over, receive_items
from materiel.equipment.models import Item, Lot
from materiel.imports.models import ImportJob
from materiel.imports.steps import create_job, start_commit
from materiel.inspections import services as inspections
from materiel.inspections.models import ChecklistTemplate, CorrectiveAction, DutyRow, Result, Run
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.maintenance import techday
from materiel.maintenance.models import MaintenancePlan, TechnicalDaySession, TechnicalDayTask
from materiel.maintenance.schedule import save_schedule
from materiel.maintenance.services import record_maintenance, save_plan
from materiel.people import services as people
from materiel.people.models import (
    Certification,
    CertificationKind,
    Contest,
    Course,
    Initiative,
    Level,
    Person,
    Specialty,
    TrainingKind,
)
from materiel.reports.models import SavedReport
from materiel.resolutions import services as resolutions
from materiel.resolutions.models import Resolution, TaskNote
from materiel.storage import depot_log
from materiel.storage import services as storage
from materiel.storage.models import DepotReading, PlaceKind, StoragePlace
from materiel.units.models import Unit
from materiel.workorders import services as workorders
from materiel.workorders.models import Facility, FacilityKind, Labour, RepairLevel, WorkOrder
from materiel.workorders.reference import ensure_levels

from .test_imports import xlsx

D = date(2021, 3, 1)
SKIP = {"web:logout", "set_language"}  # signing out or switching language shows nothing of anyone


def walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "api":
            continue  # walked from the OpenAPI schema below
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry.callback


def fill(route: str, pk: int) -> str:
    return "/" + route.replace("<int:pk>", str(pk)).replace("<str:action>", "transfer")


def side(world, code_suffix, province, unit, serial, holder, actor):
    admin = create_user(
        actor=world.admin,
        username=f"quantri-{code_suffix}",
        full_name=f"Quản trị {code_suffix}",
        unit=province,
        role=Role.ADMIN,
        password="Mat-khau-du-dai-2026",
    )
    item = services.record_receipt(
        equipment_type=world.rifle, serial=serial, unit=unit, grade=2, occurred_on=D, actor=actor
    ).item
    services.record_issue(item, holder=holder, occurred_on=D, actor=actor)
    services.record_grade_change(item, grade=3, reason="Kiểm tra", occurred_on=D, actor=actor)
    services.record_lot_receipt(
        equipment_type=world.ammo,
        unit=unit,
        grade=1,
        quantity=500,
        occurred_on=D,
        actor=actor,
        lot_number=f"LO-{code_suffix}",
    )
    set_holding(actor=actor, unit=unit, equipment_type=world.rifle, quantity=3, valid_from=D)
    register = xlsx([["Số hiệu", "Tên trang bị", "Cấp chất lượng"], [f"AK-NHAP-{code_suffix}", "AK-47", 1]])
    job = create_job(actor, unit, f"nhap-{code_suffix}.xlsx", register)
    start_commit(job, force=False, skip_duplicates=False)
    create_job(actor, unit, f"cho-{code_suffix}.xlsx", register)  # one left waiting in its preview
    SavedReport.objects.create(name=f"Báo cáo quý {holder}", unit=unit, period="quarter", created_by=actor)
    moved = services.record_receipt(
        equipment_type=world.rifle, serial=f"{serial}-BG", unit=unit, grade=2, occurred_on=D, actor=actor
    ).item
    hand_over(
        items=[moved],
        to_unit=unit.parent,
        parties=Parties(number="1/BBBG", handed_on=D, giver_name=f"Người giao {holder}"),
        actor=actor,
    )
    receive_items(  # a receipt record from outside the tree: its party and giver are the side's too
        equipment_type=world.rifle,
        serials=[f"{serial}-TN"],
        to_unit=unit,
        outside_party=f"Kho ngoài {code_suffix}",
        parties=Parties(number="9/BBGN", handed_on=D, giver_name=f"Thủ kho {holder}"),
        actor=actor,
        grade=1,
    )
    # A truck under a maintenance plan, maintained once: the due board and its exports list it.
    plan = MaintenancePlan.objects.filter(name="Bảo dưỡng cấp 1").first() or save_plan(
        actor=world.admin, equipment_type=world.truck, name="Bảo dưỡng cấp 1", every_days=30, statuses=["in_service"],
        starts_on=D,
    )  # fmt: skip
    truck = services.record_receipt(
        equipment_type=world.truck, serial=f"XE-CUA-{code_suffix.upper()}", unit=unit, grade=2, occurred_on=D,
        actor=actor,
    ).item  # fmt: skip
    services.record_meter_reading(truck, meter="km", value=1200, occurred_on=D, actor=actor)
    record_maintenance(truck, plan=plan, occurred_on=D, actor=actor, note=f"Bảo dưỡng {holder}")
    # A depot of the unit, its keeper named, holding the rifle: the places, their lists and prints.
    depot = storage.save_place(
        actor=actor, unit=unit, kind=PlaceKind.objects.get(code="kho"), code=f"KHO-{code_suffix.upper()}",
        name=f"Kho bí mật {code_suffix}", responsible=f"Thủ kho {holder}",
    )  # fmt: skip
    storage.relocate(Item.objects.get(pk=item.pk), place=depot, occurred_on=D, actor=actor, note=f"Vào kho {holder}")
    # Its condition log: a line in range and one whose alarm is not answered (the dashboard warns).
    morning = timezone.make_aware(datetime(2025, 2, 5, 7, 30))
    depot_log.record(
        depot,
        [
            depot_log.Line(taken_at=morning, checked_by=f"Kiểm tra {holder}", fire_ok=True, seals_ok=True),
            depot_log.Line(taken_at=morning + timedelta(hours=8), checked_by=f"Gác kho {holder}", seals_ok=False),
        ],
        actor=actor,
    )
    # Its technical days: a schedule, one session recorded (its minute exists) and one still planned.
    save_schedule(actor=actor, unit=unit, frequency="weekly", weekday=4, week_of_month=None, part_of_day="morning")
    for note in (f"Ngày kỹ thuật {holder}", f"Kế hoạch kỹ thuật {holder}"):
        session = techday.create_session(
            actor=actor, unit=unit, held_on=D, part_of_day="morning", note=note,
            tasks=[techday.TaskInput(truck.pk, plan.pk, f"Thợ máy {holder}")],
        )  # fmt: skip
        if note.startswith("Ngày"):
            results = {task.pk: techday.TaskResult(True, notes=f"Phanh {holder}") for task in session.tasks.all()}
            techday.record_results(
                session, actor=actor, version=1, occurred_on=D, results=results, readings={truck.pk: {"km": "1300"}}
            )
    # A maintenance order closed with labour and a part, and a repair order in progress at the
    # side's own repair team: the lists, pages, prints, reliability figures and API show them.
    spare = services.record_lot_receipt(
        equipment_type=world.ammo, unit=unit, grade=1, quantity=50, occurred_on=D, actor=actor,
        lot_number=f"PT-{code_suffix}",
    ).lot  # fmt: skip
    order = workorders.create_order(
        actor=actor, unit=unit, kind="maintenance", title="Bảo dưỡng cấp 1", items=[workorders.Wanted(truck, plan)],
        state="open",
    )  # fmt: skip
    workorders.add_labour(order, person=f"Thợ {holder}", hours=2, actor=actor, version=None)
    workorders.add_part(order, lot=spare, quantity=1, actor=actor, version=None)
    workorders.close_order(order, actor=actor, results="Đạt", occurred_on=D)
    ensure_levels()
    team = Facility.objects.create(name=f"Tổ sửa chữa {holder}", kind=FacilityKind.UNIT, unit=unit)
    repair = workorders.create_order(
        actor=actor, unit=unit, kind="repair", title="Sửa chữa nhỏ", fault="Hỏng đèn", facility=team,
        level=RepairLevel.objects.get(code="nho"), items=[workorders.Wanted(truck)], state="open",
    )  # fmt: skip
    workorders.transition(repair, "in_progress", actor=actor, occurred_on=D)
    # A disposal proposal of the unit listing the rifle, submitted: its list, page, print and API.
    proposal = disposal.create_proposal(
        actor=actor, unit=unit, number=f"1/TTr-{code_suffix.upper()}", title=f"Thanh lý của {holder}", proposed_on=D
    )
    ground = Ground.objects.get(code="hu-hong-nang")
    worn = services.record_receipt(
        equipment_type=world.rifle, serial=f"{serial}-TL", unit=unit, grade=5, occurred_on=D, actor=actor
    ).item
    disposal.add_lines(proposal, [disposal.Wanted(worn, ground, f"Nòng {holder}")], actor=actor)
    disposal.submit(Proposal.objects.get(pk=proposal.pk), actor=actor)
    # Two inspection runs of the rifle: one finished with a critical finding (its readiness reason,
    # grade and repair order), one still a draft; each with a corrective action.
    for state in ("finished", "draft"):
        run = inspections.open_run(
            actor=actor, unit=unit, template=inspections.current("sung-bo-binh-thuong-xuyen"),
            inspector=f"Kiểm tra viên {holder} {state}", inspected_on=D, kind="regular",
            items=[Item.objects.get(pk=item.pk)],
        )  # fmt: skip
        run_item, steps = run.items.get(), {s.position: s.pk for s in run.steps.all()}
        notes = {(run_item.pk, steps[2]): f"Kim hỏa {holder}"}
        results = {(run_item.pk, steps[2]): False, (run_item.pk, steps[3]): False}
        inspections.enter_results(run, actor=actor, results=results, notes=notes, grades={run_item.pk: 4})
        inspections.add_action(
            run, actor=actor, text=f"Thay kim hỏa {holder}", responsible=f"Tổ trưởng {holder}", deadline=D
        )
        if state == "finished":
            inspections.finish_run(run, actor=actor)
    # A finished monthly run of the depot answering its matrix row, and an overdue corrective action:
    # the inspection compliance page, its drill-downs and its XLSX.
    monthly = DutyRow.objects.get(place_kind__code="kho", frequency="monthly")
    run = inspections.open_run(
        actor=actor, unit=unit, template=inspections.current(monthly.template_code), inspector=f"Kiểm tra {holder}",
        inspected_on=D, kind="regular", place=depot, duty=monthly,
    )  # fmt: skip
    inspections.finish_run(run, actor=actor)
    inspections.add_action(run, actor=actor, text=f"Bôi dầu {holder}", responsible=f"Khắc phục {holder}", deadline=D)
    # An inspection of the depot, finished with a critical finding (a readiness reason and a work
    # order), and a corrective action: the runs, their pages, minutes and the open actions show them.
    run = inspections.open_run(
        actor=actor, unit=unit, template=inspections.current("sung-bo-binh-thuong-xuyen"), place=depot,
        inspector=f"Kiểm tra viên {holder}", inspected_on=timezone.localdate(), kind="regular",
    )  # fmt: skip
    row, step = run.items.first(), run.steps.get(position=3)
    inspections.enter_results(run, actor=actor, results={(row.pk, step.pk): False})
    run = inspections.finish_run(run, actor=actor)
    inspections.add_action(
        run, actor=actor, text=f"Thay nòng {holder}", responsible=f"Tổ trưởng {holder}", deadline=run.inspected_on
    )
    # A technician of the unit, certified until next week (the expiry board lists them), on a
    # course, in a contest and the author of an initiative: the people pages, print, XLSX and API.
    person = people.create_person(
        actor=actor, unit=unit, full_name=f"Cán bộ {holder}", specialty=Specialty.objects.get(code="quan-khi"),
        joined_on=D, position=f"Thợ của {holder}",
    )  # fmt: skip
    people.certify(
        person, actor=actor, kind=CertificationKind.objects.get(code="sua-chua-vu-khi"), issued_on=D,
        expires_on=timezone.localdate() + timedelta(days=7), number=f"CC-{code_suffix.upper()}",
        issued_by=f"Trường của {holder}",
    )  # fmt: skip
    course = people.create_course(
        actor=actor, unit=unit, kind=TrainingKind.objects.get(code="tap-huan"), title=f"Tập huấn {holder}",
        starts_on=D, ends_on=D,
    )  # fmt: skip
    people.add_participants(course, actor=actor, people=[person])
    level = Level.objects.get(code="co-so")
    contest = people.create_contest(
        actor=actor, unit=unit, kind="hoi-thi", title=f"Hội thi {holder}", level=level, held_on=D
    )
    people.add_entry(contest, actor=actor, person=person, event="Tháo lắp", award=f"Giải của {holder}")
    people.record_initiative(
        actor=actor, unit=unit, title=f"Sáng kiến {holder}", level=level, recognised_on=D, authors=[person]
    )
    # The province's action programme with a target reported by hand and a task with a note.
    programme = resolutions.save_resolution(
        actor=actor, number=f"15-CTr/{code_suffix.upper()}", issued_on=D, issuer=f"Đảng ủy {holder}",
        title=f"Chương trình {holder}", kind="programme", starts_on=D, unit=province,
    )  # fmt: skip
    target = resolutions.add_target(programme, actor=actor, text=f"Chỉ tiêu {holder}", goal=3)
    resolutions.report_value(target, actor=actor, unit=province, year=D.year, value=2, evidence=f"Minh chứng {holder}")
    task = resolutions.add_task(programme, actor=actor, unit=unit, text=f"Nhiệm vụ {holder}",
                                responsible=f"Phòng {holder}", deadline=D)  # fmt: skip
    resolutions.note_task(task, actor=actor, text=f"Tiến độ {holder}", written_on=D)
    # A count campaign over the unit: its sheet counted with a note and a surplus, submitted.
    campaign = counts.launch(
        actor=actor, unit=unit, title=f"Kiểm kê của {holder}", reference_date=timezone.localdate(),
        deadline=timezone.localdate(),
    )  # fmt: skip
    sheet = campaign.sheets.get(unit=unit)
    counts.mark_all_found(sheet, actor=actor)
    first = sheet.lines.order_by("position").first()
    counts.update_lines(sheet, [counts.LineChange(first.pk, note=f"Kiểm đếm {holder}")], actor=actor)
    counts.add_surplus(sheet, actor=actor, equipment_type=world.rifle, serial=f"{serial}-THUA", grade=2)
    counts.submit(Sheet.objects.get(pk=sheet.pk), actor=actor)
    return admin


@pytest.fixture
def two_sides(world, client):
    admin_a = side(world, "a", world.province_a, world.district_a1, "AK-CUA-A", "Lò Văn Alpha", world.officer)
    admin_b = side(world, "b", world.province_b, world.post_b1, "AK-CUA-B", "Giàng A Bêta", world.outsider)
    for user in (admin_a, admin_b, world.officer, world.outsider):  # sign-ins leave audit entries on each side
        client.force_login(user)
        client.logout()
    return {
        "a": ([world.officer, admin_a], world.province_a),
        "b": ([world.outsider, admin_b], world.province_b),
    }


def secrets_of(province):
    units = Unit.objects.subtree_of(province)
    items = Item.objects.filter(unit__in=units)
    return (
        {u.name for u in units}
        | set(items.values_list("serial", flat=True))
        | {h for h in Event.objects.filter(item__in=items).values_list("holder_after", flat=True) if h}
        | set(User.objects.filter(unit__in=units).values_list("username", flat=True))
        | set(Lot.objects.filter(unit__in=units).values_list("lot_number", flat=True))
        | set(StoragePlace.objects.filter(unit__in=units).values_list("name", flat=True))
        | set(DepotReading.objects.filter(place__unit__in=units).values_list("checked_by", flat=True))
        | set(Proposal.objects.filter(unit__in=units).values_list("title", flat=True))
        | set(SavedReport.objects.filter(unit__in=units).values_list("name", flat=True))
        | set(HandoverRecord.objects.filter(from_unit__in=units).values_list("giver_name", flat=True))
        | set(HandoverRecord.objects.filter(to_unit__in=units).values_list("giver_name", flat=True))
        | set(
            HandoverRecord.objects.filter(to_unit__in=units)
            .exclude(outside_party="")
            .values_list("outside_party", flat=True)
        )
        | set(TechnicalDaySession.objects.filter(unit__in=units).values_list("note", flat=True))
        | set(TechnicalDayTask.objects.filter(session__unit__in=units).values_list("staff", flat=True))
        | {n for n in TechnicalDayTask.objects.filter(session__unit__in=units).values_list("notes", flat=True) if n}
        | set(Labour.objects.filter(order__unit__in=units).values_list("person", flat=True))
        | set(Facility.objects.filter(unit__in=units).values_list("name", flat=True))
        | set(Run.objects.filter(unit__in=units).values_list("inspector", flat=True))
        | set(Resolution.objects.filter(unit__in=units).values_list("title", flat=True))
        | set(TaskNote.objects.filter(task__unit__in=units).values_list("text", flat=True))
        | set(Result.objects.filter(run_item__run__unit__in=units).exclude(note="").values_list("note", flat=True))
        | set(CorrectiveAction.objects.filter(run__unit__in=units).values_list("text", flat=True))
        | set(CorrectiveAction.objects.filter(run__unit__in=units).values_list("responsible", flat=True))
        | set(Person.objects.filter(unit__in=units).values_list("full_name", flat=True))
        | set(Person.objects.filter(unit__in=units).values_list("position", flat=True))
        | set(Certification.objects.filter(person__unit__in=units).values_list("issued_by", flat=True))
        | set(Course.objects.filter(unit__in=units).values_list("title", flat=True))
        | set(Contest.objects.filter(unit__in=units).values_list("title", flat=True))
        | set(Initiative.objects.filter(unit__in=units).values_list("title", flat=True))
        | set(Campaign.objects.filter(launching_unit__in=units).values_list("title", flat=True))
        | set(SheetLine.objects.filter(sheet__unit__in=units).exclude(note="").values_list("note", flat=True))
        | set(
            SheetLine.objects.filter(sheet__unit__in=units)
            .exclude(serial_read="")
            .values_list("serial_read", flat=True)
        )
    )


def objects_of(model, province):
    units = Unit.objects.subtree_of(province)
    if model is Item:
        return list(Item.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is Event:
        return list(Event.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is User:
        return list(User.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is ApiToken:
        return list(ApiToken.objects.filter(user__unit__in=units).values_list("pk", flat=True))
    if model is Lot:
        return list(Lot.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is HandoverRecord:
        records = HandoverRecord.objects.filter(from_unit__in=units) | HandoverRecord.objects.filter(to_unit__in=units)
        return list(records.values_list("pk", flat=True))
    if model is ImportJob:
        return list(ImportJob.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is AuthorizedHolding:
        return list(AuthorizedHolding.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is StoragePlace:
        return list(StoragePlace.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is SavedReport:
        return list(SavedReport.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is Proposal:
        return list(Proposal.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is Resolution:
        return list(Resolution.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is DepotReading:
        return list(DepotReading.objects.filter(place__unit__in=units).values_list("pk", flat=True))
    if model is TechnicalDaySession:
        return list(TechnicalDaySession.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is WorkOrder:
        return list(WorkOrder.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is Run:
        return list(Run.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is CorrectiveAction:
        return list(CorrectiveAction.objects.filter(run__unit__in=units).values_list("pk", flat=True))
    if model is Person:
        return list(Person.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is Course:
        return list(Course.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is Contest:
        return list(Contest.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is Initiative:
        return list(Initiative.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model is Campaign:
        return list(Campaign.objects.filter(launching_unit__in=units).values_list("pk", flat=True))
    if model is Sheet:
        return list(Sheet.objects.filter(unit__in=units).values_list("pk", flat=True))
    if model in (Category, EquipmentType, MaintenancePlan, ChecklistTemplate, DutyRow, LayoutProfile):
        return []  # the catalogue is shared by every subtree: nothing of it belongs to the other side
    raise AssertionError(f"no ids for {model}")


def test_every_route_is_walked_and_object_routes_declare_their_model():
    routes = list(walk(get_resolver()))
    assert len(routes) >= 10
    for name, route, view in routes:
        if "<" in route:
            assert hasattr(view, "scoped_model"), f"{name} takes an id but does not declare its model (object_view)"


def text_of(response) -> str:
    """A page's text, or every sheet and string of an exported workbook."""
    if not response.streaming:
        return response.content.decode(errors="replace")
    data = b"".join(response.streaming_content)
    if not data.startswith(b"PK"):
        return data.decode(errors="replace")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode(errors="replace") for name in archive.namelist())


@pytest.mark.parametrize("me, them", [("a", "b"), ("b", "a")])
def test_no_route_shows_or_reaches_the_sibling_subtree(client, two_sides, me, them):
    my_users, _ = two_sides[me]
    _other_users, other_province = two_sides[them]
    secrets = secrets_of(other_province) - {u.name for u in Unit.objects.filter(parent__isnull=True)}
    assert len(secrets) >= 5
    objects = functools.partial(objects_of, province=other_province)
    assert walk_every_route(client, my_users, secrets, other_province, objects) > 50


def test_a_user_with_two_roots_reads_both_and_nothing_else(client, world, two_sides):
    """Province A's officer also reads Lai Châu's border post (a read grant): the post's items show,
    but the rest of Lai Châu (its command's own rifle, lot and holder) neither shows nor opens."""
    from materiel.accounts.services import grant_scope

    services.record_lot_receipt(
        equipment_type=world.ammo,
        unit=world.province_b,
        grade=1,
        quantity=9,
        occurred_on=D,
        actor=world.outsider,
        lot_number="LO-TINH-B",
    )
    kept = services.record_receipt(
        equipment_type=world.rifle,
        serial="AK-TINH-B",
        unit=world.province_b,
        grade=1,
        occurred_on=D,
        actor=world.outsider,
    ).item
    services.record_issue(kept, holder="Sùng A Gamma", occurred_on=D, actor=world.outsider)
    grant_scope(world.officer, world.post_b1, actor=world.admin, note="Chỉ đạo chuyên môn BĐBP")
    post_units = Unit.objects.subtree_of(world.post_b1)
    secrets = secrets_of(world.province_b) - secrets_of(world.post_b1)
    secrets -= {u.name for u in Unit.objects.filter(parent__isnull=True)} | {world.province_b.name}
    secrets.discard(world.outsider.username)  # who recorded the post's events: named in its history
    # What the post handed up to its command is in the post's own events log (its outgoing transfer).
    secrets -= set(Item.objects.filter(events__unit__in=post_units).values_list("serial", flat=True))
    assert {"AK-TINH-B", "Sùng A Gamma", "LO-TINH-B"} <= secrets
    client.force_login(world.officer)
    register = client.get("/trang-bi/", {"unit": world.post_b1.code}).content.decode()
    assert "AK-CUA-B" in register  # the granted post's own rifle

    def objects(model):  # Lai Châu's, except what the grant opens
        return sorted(set(objects_of(model, world.province_b)) - set(objects_of(model, world.post_b1)))

    post = world.post_b1.code  # the granted subtree's own pages, now and on a past day, searched
    also = (f"?unit={post}", f"?unit={post}&on=01/06/2021", f"?unit={post}&q=AK", f"?unit={post}&format=xlsx")
    assert walk_every_route(client, [world.officer], secrets, world.province_b, objects, also) > 50


def walk_every_route(client, users, secrets, other_province, objects, also=()) -> int:
    """GET every page of `users` with the other side's code and filters, and every object route
    with the ids `objects(model)` gives: no secret shows, no object opens. Returns how many were checked."""
    other_code = other_province.code
    checked = 0
    for user in users:
        client.force_login(user)
        for name, route, view in walk(get_resolver()):
            if name in SKIP or route.startswith("static"):
                continue
            if "<" not in route:
                queries = (
                    "",
                    f"?unit={other_code}",
                    f"?unit={other_code}&on=01/06/2021",
                    "?q=AK-CUA",
                    "?format=xlsx",
                    *also,
                )
                for query in queries:
                    response = client.get(fill(route, 0) + query)
                    body = text_of(response)
                    leaked = sorted(s for s in secrets if s in body)
                    assert not leaked, f"{user} GET {route}{query} shows {leaked}"
                    checked += 1
                continue
            for pk in objects(view.scoped_model):
                for method in (client.get, client.post):
                    response = method(fill(route, pk))
                    # 405: a GET on a POST-only page is refused before any lookup, for every id alike.
                    expected = (404, 405) if method == client.get else (404,)
                    assert response.status_code in expected, f"{user} {method.__name__} {route} pk={pk}"
                    checked += 1
        client.logout()
    return checked


API_PARAMS = {
    "item_id": Item,
    "lot_id": Lot,
    "event_id": Event,
    "import_id": ImportJob,
    "session_id": TechnicalDaySession,
    "place_id": StoragePlace,
    "reading_id": DepotReading,
    "proposal_id": Proposal,
    "order_id": WorkOrder,
    "run_id": Run,
    "action_id": CorrectiveAction,
    "template_id": ChecklistTemplate,
    "person_id": Person,
    "course_id": Course,
    "initiative_id": Initiative,
    "resolution_id": Resolution,
    "campaign_id": Campaign,
    "sheet_id": Sheet,
}
# One body that satisfies every write operation's schema, so that scope (not validation) decides the answer.
ANY_BODY = {
    "occurred_on": "2025-02-05",
    "version": 1,
    "reason": "x",
    "document_number": "1/BB",
    "grade": 3,
    "holder": "X",
    "meter": "km",
    "value": "1",
    "kind": "seal",
    "quantity": 1,
    "type": "ak47",
    "serial": "LEAK-1",
    "lot_number": "",
    "place": 1,
    "name": "x",
    "columns": {},
    "types": {},
    "before_founding": "transfer",
    "plan": 1,
    "frequency": "weekly",
    "weekday": 4,
    "part_of_day": "morning",
    "tasks": [],
    "readings": [],
    "to": "open",
    "results": "x",
    "title": "x",
    "number": "1/X",
    "proposed_on": "2025-02-05",
    "decision_number": "1/QĐ",
    "decided_on": "2025-02-05",
    "full_name": "x",
    "specialty": "quan-khi",
    "joined_on": "2025-02-05",
    "moved_on": "2025-02-05",
    "issued_on": "2025-02-05",
    "starts_on": "2025-02-05",
    "ends_on": "2025-02-05",
    "level": "co-so",
    "recognised_on": "2025-02-05",
    "authors": [1],
    "people": [1],
    "participant": 1,
    "result": "passed",
    "item": 1,
    "reference_date": "2025-02-05",
    "deadline": "2025-02-05",
}
# Where two operations name one field differently (a technical day's results are a list, a work
# order's a text), the body of that operation.
BODY_OF = {
    "/api/v1/maintenance/technical-day/sessions/{session_id}/results": {"results": []},
    "/api/v1/storage/places/{place_id}/readings": {
        "lines": [{"taken_at": "2025-02-05T09:00", "checked_by": "x", "fire_ok": True}]
    },
    "/api/v1/storage/readings/{reading_id}/acknowledgement": {"action": "x"},
    "/api/v1/disposal/proposals/{proposal_id}/lines": {"lines": [{"item": 1, "ground": "mat"}]},
    "/api/v1/training/courses/{course_id}/results": {"grade": "x"},
    "/api/v1/items/{item_id}/kit": {"shortages": []},
    "/api/v1/counts/sheets/{sheet_id}/lines": {"lines": [{"line": 1, "found": True}]},
}


def body_fields(schema, operation) -> set[str]:
    """The top-level fields of an operation's body, whatever its content type."""
    fields = set()
    for content in operation.get("requestBody", {}).get("content", {}).values():
        body = content["schema"]
        if "$ref" in body:
            body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
        fields |= set(body.get("properties", {}))
    return fields


def api_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            taken = {p["name"] for p in parameters if p["in"] == "query"}
            # Receipts, orders, runs name their unit in the body; the shared reference data (a
            # checklist template) names none, and the other side's unit code sent with it is ignored.
            taken |= {"unit"} & body_fields(schema, operation)
            multipart = "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
            yield path, method, [p for p in parameters if p["in"] == "path"], taken, multipart


@pytest.mark.parametrize("me, them", [("a", "b"), ("b", "a")])
def test_no_api_operation_shows_or_reaches_the_sibling_subtree(client, two_sides, me, them):
    my_users, my_province = two_sides[me]
    _other_users, other_province = two_sides[them]
    secrets = secrets_of(other_province) - {u.name for u in Unit.objects.filter(parent__isnull=True)}
    other_unit = other_province.code
    mine = Unit.objects.subtree_of(my_province).exclude(pk=my_province.pk).first().code
    checked = 0
    for user in my_users:
        _token, plain = issue_token(user, name="leak-test")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
        for path, method, path_params, taken, multipart in api_operations():
            call = getattr(client, method)
            if not path_params:
                variants = [{}, {"unit": other_unit}, {"unit": other_unit, "on": "2021-06-01"}, {"under": other_unit}]
                for query in variants:
                    if method == "get":
                        response = call(path, query, **headers)
                    elif multipart:  # an upload names its unit in the form beside the file
                        file = io.BytesIO(xlsx([["Số hiệu", "Tên trang bị", "Cấp"], ["AK-X", "AK-47", 1]]))
                        file.name = "so.xlsx"
                        response = call(path, {"file": file, "unit": query.get("unit", mine)}, **headers)
                    else:
                        body = {**ANY_BODY, "unit": query.get("unit", mine), "to_unit": mine}
                        response = call(path, body, content_type="application/json", **headers)
                    text = text_of(response)
                    leaked = sorted(s for s in secrets if s in text)
                    assert not leaked, f"{user} {method} {path} {query} shows {leaked}"
                    if set(query) & taken & {"unit", "under"}:
                        assert response.status_code == 404, f"{user} {method} {path} {query}: {response.status_code}"
                    checked += 1
                continue
            (param,) = path_params
            name = param["name"]
            if name == "code":
                ids = list(Unit.objects.subtree_of(other_province).values_list("code", flat=True))
            else:
                assert name in API_PARAMS, f"{path}: unknown path parameter {name}"
                ids = objects_of(API_PARAMS[name], other_province)
            for value in ids:
                url = path.replace("{" + name + "}", str(value))
                if method == "get":
                    response = call(url, **headers)
                else:
                    body = {**ANY_BODY, **BODY_OF.get(path, {}), "to_unit": mine}
                    response = call(url, body, content_type="application/json", **headers)
                assert response.status_code == 404, f"{user} {method} {url}: {response.status_code}"
                assert response.json()["code"] == "not_found"
                checked += 1
    assert checked > 100
