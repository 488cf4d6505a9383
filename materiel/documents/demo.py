"""Demo issuing bodies: the names the first provinces of the demo sign their documents under, as a
state organ and as a Party committee (examples: real names are each unit's own data)."""

from datetime import date

from .models import Family, IssuingBody

START = date(2020, 1, 1)


def seed_issuing_bodies(provinces) -> int:
    count = 0
    for province in provinces[:3]:
        superior = province.parent.name if province.parent_id else ""
        place = province.name.split("tỉnh", 1)[-1].strip() if "tỉnh" in province.name else province.name
        IssuingBody.objects.get_or_create(
            unit=province,
            family=Family.STATE,
            valid_from=START,
            defaults={"name": f"Bộ Chỉ huy Quân sự tỉnh {place}", "superior": superior, "abbreviation": "BCH"},
        )
        IssuingBody.objects.get_or_create(
            unit=province,
            family=Family.PARTY,
            valid_from=START,
            defaults={
                "name": f"Đảng ủy Quân sự tỉnh {place}",
                "superior": f"Đảng bộ {superior}" if superior else "",
                "abbreviation": "ĐU",
            },
        )
        count += 2
    return count
