"""Example technical staff for the demo, made through the services: people spread over the units
that hold equipment (by the same weights), who joined over the demo's years, moved with their
district command to the regional defence command on the 2025 reform, renewed their certifications
(some lapsed, some expire soon: the board is not empty), sat skill-level exams, went on the
province's yearly courses, entered its contests and authored its initiatives. Every name and
figure is an example."""

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from materiel.units.models import Unit

from . import services
from .models import CertificationKind, Level, Membership, Person, Result, SkillLevel, Specialty, TrainingKind

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Lò", "Giàng", "Sùng", "Vàng", "Hà", "Lù"]
MIDDLE = ["Văn", "Văn", "Đức", "Xuân", "Minh", "A", "Thị", "Quang"]
GIVEN = ["Hùng", "Dũng", "Tuấn", "Thắng", "Sơn", "Hải", "Long", "Nam", "Phong", "Chiến", "Lợi", "Pằng", "Chư", "Mai"]
RANKS = ["Trung sĩ", "Thượng sĩ", "Thiếu úy QNCN", "Trung úy QNCN", "Thượng úy QNCN", "Đại úy", "Thiếu tá"]
POSITIONS = ["Nhân viên kỹ thuật", "Thợ sửa chữa", "Thủ kho", "Trợ lý kỹ thuật", "Tổ trưởng sửa chữa"]
EDUCATION = ["Sơ cấp kỹ thuật", "Trung cấp kỹ thuật", "Cao đẳng kỹ thuật", "Đại học kỹ thuật"]
# The specialty a unit's staff mostly have, by the end of its code (demo units, materiel.demo.seed).
SPECIALTY_OF = {"c-cb": "cong-binh", "c-tt": "thong-tin", "tsc": "xe-may", "kho": "quan-khi", "d1": "quan-khi"}
AWARDS = ["Giải Nhất", "Giải Nhì", "Giải Ba"]
INITIATIVES = [
    "Giá kê sửa chữa nòng súng",
    "Dụng cụ tháo lắp lò xo",
    "Bàn thử điện xe máy",
    "Cải tiến tủ súng chống ẩm",
    "Quy trình bảo quản đạn trong mùa mưa",
]
COURSES = [
    ("tap-huan", "Tập huấn bảo quản, bảo dưỡng vũ khí, trang bị kỹ thuật năm {year}", "quan-khi", 5),
    ("boi-duong", "Bồi dưỡng nghiệp vụ kỹ thuật xe máy năm {year}", "xe-may", 10),
]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} (ví dụ)"


def _specialty(code: str, rng: random.Random) -> str:
    for end, specialty in SPECIALTY_OF.items():
        if code.endswith(end):
            return specialty
    return rng.choice(["quan-khi", "quan-khi", "xe-may", "thong-tin"])


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def seed_people(
    holders: Sequence[Any],
    provinces: Sequence[Unit],
    actor,
    today: date,
    *,
    count: int,
    starts_on: date,
    seed: int = 50,
) -> int:
    """About `count` people over the provincial units among `holders` (materiel.demo.seed.Holder:
    unit, weight, before_reform, reformed_on, reason, province), the courses, contests and
    initiatives of each of `provinces`; returns how many people were made.
    Its own random stream, so the rest of the demo is the same with or without it."""
    rng = random.Random(seed)
    local = [h for h in holders if h.province]
    if not local or count <= 0:
        return 0
    specialties = {s.code: s for s in Specialty.objects.all()}
    levels = list(SkillLevel.objects.order_by("rank"))
    kinds = list(CertificationKind.objects.all())
    made: list[Person] = []
    for _ in range(count):
        holder = rng.choices(local, weights=[h.weight for h in local])[0]
        joined = _day(rng, starts_on, today - timedelta(days=200))
        unit = holder.unit_on(joined)
        if unit.dissolved_on is not None and unit.dissolved_on <= joined:
            continue
        specialty = specialties[_specialty(holder.unit.code, rng)]
        person = services.create_person(
            actor=actor, unit=unit, full_name=_name(rng), rank=rng.choice(RANKS), position=rng.choice(POSITIONS),
            education=rng.choice(EDUCATION), specialty=specialty, skill_level=levels[rng.randint(1, 3)],
            joined_on=joined, document="Quyết định điều động (ví dụ)",
        )  # fmt: skip
        if holder.before_reform is not None and joined < holder.reformed_on <= today:
            services.move_person(
                person, actor=actor, to_unit=holder.unit, moved_on=holder.reformed_on, document=holder.reason
            )
        _certify(rng, person, [k for k in kinds if k.specialty_id in (None, specialty.pk)], actor, joined, today)
        _examine(rng, person, levels, actor, joined, today)
        made.append(person)
    for province in provinces:
        _province_history(rng, province, actor, starts_on, today)
    return len(made)


def _certify(rng, person: Person, kinds, actor, joined: date, today: date) -> None:
    """One or two kinds, each renewed on expiry — until a lapse, or the present."""
    for kind in rng.sample(kinds, k=min(len(kinds), rng.randint(1, 2))):
        issued = joined + timedelta(days=rng.randint(30, 400))
        number = 0
        while issued <= today:
            number += 1
            months = kind.valid_months or 60
            expires = issued + timedelta(days=months * 30 + rng.randint(-20, 20))
            services.certify(
                person, actor=actor, kind=kind, issued_on=issued, expires_on=expires if kind.valid_months else None,
                number=f"{kind.code.upper()[:6]}-{person.pk:04d}-{number}", issued_by="Trường Quân sự Quân khu (ví dụ)",
            )  # fmt: skip
            if kind.valid_months is None or rng.random() < 0.12:  # not renewed: it lapses
                break
            issued = expires - timedelta(days=rng.randint(0, 40))


def _examine(rng, person: Person, levels, actor, joined: date, today: date) -> None:
    day = joined + timedelta(days=rng.randint(700, 1500))
    while day <= today - timedelta(days=30):
        current = services.level_on(person, day)
        higher = [lv for lv in levels if current is None or lv.rank > current.rank]
        if not higher:
            return
        passed = rng.random() < 0.85
        services.record_exam(
            person, actor=actor, level=higher[0], held_on=day, passed=passed,
            score=Decimal(rng.randint(55 if passed else 30, 95 if passed else 49)) / 10,
            decision=f"QĐ nâng bậc {day.year} (ví dụ)" if passed else "",
        )  # fmt: skip
        day += timedelta(days=rng.randint(900, 1600))


def _province_history(rng, province, actor, starts_on: date, today: date) -> None:
    kinds = {k.code: k for k in TrainingKind.objects.all()}
    specialties = {s.code: s for s in Specialty.objects.all()}
    levels = {lv.code: lv for lv in Level.objects.all()}
    for year in range(starts_on.year + 1, today.year + 1):
        for kind, title, specialty, month in COURSES:
            starts = date(year, month, 10)
            ends = starts + timedelta(days=rng.randint(4, 12))
            if ends > today - timedelta(days=7):
                continue
            people = list(Person.objects.in_subtree(province, ends).filter(specialty__code=specialty)[:40])
            if not people:
                continue
            course = services.create_course(
                actor=actor, unit=province, kind=kinds[kind], title=title.format(year=year),
                specialty=specialties[specialty], starts_on=starts, ends_on=ends, place="Trường Quân sự tỉnh (ví dụ)",
            )  # fmt: skip
            chosen = rng.sample(people, k=min(len(people), rng.randint(4, 12)))
            services.add_participants(course, actor=actor, people=chosen)
            for row in course.participants.all():
                passed = rng.random() < 0.9
                services.set_result(
                    course, actor=actor, participant=row.pk, result=Result.PASSED if passed else Result.FAILED,
                    grade=rng.choice(["Giỏi", "Khá", "Khá", "Trung bình"]) if passed else "",
                )  # fmt: skip
        on_day = date(year, 9, 15)
        if year % 2 == 0 and on_day <= today:
            contest = services.create_contest(
                actor=actor, unit=province, kind="hoi-thao", title=f"Hội thao kỹ thuật năm {year} (ví dụ)",
                level=levels["tinh"], held_on=on_day,
            )  # fmt: skip
            entrants = list(Person.objects.in_subtree(province, on_day)[:200])
            for placing, person in enumerate(rng.sample(entrants, k=min(len(entrants), 6)), start=1):
                award = AWARDS[placing - 1] if placing <= len(AWARDS) else ""
                services.add_entry(
                    contest, actor=actor, person=person, event="Bảo dưỡng, sửa chữa vũ khí bộ binh", result="Đạt",
                    placing=placing, award=award,
                )  # fmt: skip
        for n in range(rng.randint(1, 3)):
            recognised = date(year, 11, 5 + n * 7)
            if recognised > today:
                continue
            authors = list(Person.objects.in_subtree(province, recognised).filter(~Q(skill_level=None))[:300])
            if not authors:
                continue
            chosen = rng.sample(authors, k=min(len(authors), rng.randint(1, 2)))
            unit = Membership.objects.on(recognised).get(person=chosen[0]).unit
            services.record_initiative(
                actor=actor, unit=unit, title=f"{rng.choice(INITIATIVES)} {year} (ví dụ)",
                level=levels["co-so" if rng.random() < 0.7 else "tinh"], recognised_on=recognised, authors=chosen,
                money_saved=Decimal(rng.randint(5, 200) * 1_000_000), hours_saved=Decimal(rng.randint(20, 500)),
            )  # fmt: skip
