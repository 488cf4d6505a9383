"""A small world: a region with two provinces, districts under one, users inside and outside."""

from dataclasses import dataclass
from datetime import date

from materiel.accounts.models import Role, User
from materiel.catalog.models import Category, EquipmentType
from materiel.demo.reference import ensure_reference_data
from materiel.ledger import reorganisation as reorg
from materiel.units.models import Unit, UnitKind

FOUNDED = date(2015, 1, 1)


def make_user(username: str, unit: Unit | None, role=Role.TECHNICAL_OFFICER, superuser=False) -> User:
    user = User.objects.create_user(
        username=username, password="mat-khau-thu-nghiem", unit=unit, role=role, first_name=username.capitalize()
    )
    if superuser:
        user.is_superuser = True
        user.save()
    return user


@dataclass
class World:
    admin: User
    officer: User  # technical officer of province A
    commander: User  # commander of province A (reads, does not record)
    outsider: User  # technical officer of province B
    region: Unit
    province_a: Unit
    district_a1: Unit
    district_a2: Unit
    commune_a1: Unit
    province_b: Unit
    post_b1: Unit
    rifle: EquipmentType
    truck: EquipmentType
    ammo: EquipmentType


def build_world() -> World:
    ensure_reference_data()
    admin = make_user("quantri", None, Role.ADMIN, superuser=True)
    kind = {k.code: k for k in UnitKind.objects.all()}

    def unit(code, name, k, parent):
        return reorg.create_unit(code=code, name=name, kind=kind[k], parent=parent, founded_on=FOUNDED, actor=admin)

    region = unit("qk", "Bộ Tư lệnh Quân khu 2", "military-region", None)
    province_a = unit("tinh-a", "Bộ CHQS tỉnh Lào Cai", "provincial-command", region)
    district_a1 = unit("huyen-a1", "Ban CHQS huyện Bát Xát", "district-command", province_a)
    district_a2 = unit("huyen-a2", "Ban CHQS huyện Sa Pa", "district-command", province_a)
    commune_a1 = unit("xa-a1", "Ban CHQS xã Y Tý", "commune-command", district_a1)
    province_b = unit("tinh-b", "Bộ CHQS tỉnh Lai Châu", "provincial-command", region)
    post_b1 = unit("don-b1", "Đồn Biên phòng Ma Lù Thàng", "border-post", province_b)
    weapons = Category.objects.create(code="vkbb", name="Vũ khí bộ binh", order=1)
    vehicles = Category.objects.create(code="xe", name="Xe ô tô", order=2)
    ammo_cat = Category.objects.create(code="dan", name="Đạn dược", order=3)
    rifle = EquipmentType.objects.create(
        category=weapons, code="ak47", name="Súng tiểu liên AK-47", unit_of_measure="khẩu", meters=["rounds"]
    )
    truck = EquipmentType.objects.create(
        category=vehicles, code="uaz", name="Xe U-oát UAZ-469", unit_of_measure="chiếc", meters=["km", "engine_hours"]
    )
    ammo = EquipmentType.objects.create(
        category=ammo_cat, code="dan762", name="Đạn 7,62mm K56", unit_of_measure="viên", serialised=False
    )
    return World(
        admin=admin,
        officer=make_user("tlkt-a", province_a),
        commander=make_user("chihuy-a", province_a, Role.COMMANDER),
        outsider=make_user("tlkt-b", province_b),
        region=region,
        province_a=province_a,
        district_a1=district_a1,
        district_a2=district_a2,
        commune_a1=commune_a1,
        province_b=province_b,
        post_b1=post_b1,
        rifle=rifle,
        truck=truck,
        ammo=ammo,
    )
