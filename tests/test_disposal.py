"""Removal and disposal: a district's proposal with grounds, its way up, the echelon above sending it
back or deciding, the decision's events written once in one transaction, the refusals, the
suggestions, the pages, the print and the API."""

from datetime import date, timedelta
from html import unescape

import pytest
from django.utils import timezone

from materiel.core.errors import DomainError
from materiel.core.records import AppendOnlyError
from materiel.disposal import services as disposal
from materiel.disposal.models import DisposalLine, Ground, Proposal, State, Step
from materiel.equipment.models import Item, Status
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.ledger.verify import verify_ledger
from materiel.workorders import services as workorders

from .factories import make_user
from .test_api import Api

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=800)


def fresh(item):
    return Item.objects.get(pk=item.pk)


@pytest.fixture
def worn(world):
    """Four rifles of district A1: two worn out (grade 5), one awaiting disposal for two years, one
    good; a rifle of province B. The district has its own technical officer, who proposes."""
    world.district_officer = make_user("tlkt-a1", world.district_a1)
    made = {}
    for serial, grade in [("AK-TL1", 5), ("AK-TL2", 5), ("AK-TL3", 4), ("AK-TOT", 1)]:
        made[serial] = services.record_receipt(
            equipment_type=world.rifle, serial=serial, unit=world.district_a1, grade=grade, occurred_on=RECEIVED,
            actor=world.officer,
        ).item  # fmt: skip
    services.record(
        "await_disposal", fresh(made["AK-TL3"]), occurred_on=RECEIVED + timedelta(days=10), actor=world.officer
    )
    made["B"] = services.record_receipt(
        equipment_type=world.rifle, serial="AK-B-TL", unit=world.post_b1, grade=5, occurred_on=RECEIVED,
        actor=world.outsider,
    ).item  # fmt: skip
    return made


def ground(code):
    return Ground.objects.get(code=code)


def draft(world, **kwargs):
    return disposal.create_proposal(
        actor=kwargs.pop("actor", world.district_officer),
        unit=kwargs.pop("unit", world.district_a1),
        number=kwargs.pop("number", "1/TTr-TL"),
        title="Đề nghị thanh lý súng hỏng",
        proposed_on=kwargs.pop("proposed_on", TODAY - timedelta(days=5)),
    )


def test_the_grounds_of_circular_126_are_shipped_as_data(db):
    codes = set(Ground.objects.values_list("code", flat=True))
    assert {"het-nien-han", "hu-hong-nang", "mat", "mat-dong-bo", "lac-hau", "to-chuc-lai", "chuyen-giao"} <= codes


def test_a_proposal_goes_up_is_sent_back_and_its_decision_writes_the_disposals_once(world, worn):
    proposal = draft(world)
    disposal.add_lines(
        proposal,
        [
            disposal.Wanted(fresh(worn["AK-TL1"]), ground("hu-hong-nang"), "Nòng rỗ"),
            disposal.Wanted(fresh(worn["AK-TL3"]), ground("het-nien-han")),
        ],
        actor=world.district_officer,
    )
    proposal = disposal.submit(Proposal.objects.get(pk=proposal.pk), actor=world.district_officer)
    # Until the decision nothing moves in the ledger.
    assert fresh(worn["AK-TL1"]).status == Status.IN_SERVICE
    with pytest.raises(DomainError) as caught:
        disposal.decide(proposal, actor=world.district_officer, decision_number="9/QĐ", decided_on=TODAY)
    assert "cấp trên" in caught.value.message  # the unit does not decide its own proposal
    returned = disposal.send_back(proposal, actor=world.officer, reason="Thiếu biên bản giám định")
    assert returned.state == State.RETURNED
    disposal.add_lines(
        returned, [disposal.Wanted(fresh(worn["AK-TL2"]), ground("hu-hong-nang"))], actor=world.district_officer
    )
    disposal.submit(Proposal.objects.get(pk=proposal.pk), actor=world.district_officer)
    before = Event.objects.count()
    decided = disposal.decide(
        Proposal.objects.get(pk=proposal.pk), actor=world.officer, decision_number="125/QĐ-BCH", decided_on=TODAY
    )
    assert decided.state == State.DECIDED and decided.deciding_unit == world.province_a
    # Two events for each item not awaiting yet, one for the one that was.
    assert Event.objects.count() - before == 5 == DisposalLine.objects.filter(record=decided).count()
    for serial in ("AK-TL1", "AK-TL2", "AK-TL3"):
        item = fresh(worn[serial])
        assert item.status == Status.DISPOSED
        last = Event.objects.filter(item=item).order_by("-id").first()
        assert (last.kind, last.document_number, last.occurred_on) == ("dispose", "125/QĐ-BCH", TODAY)
    assert (
        Event.objects.filter(item=worn["AK-TL1"], kind="dispose").get().reason
        == "Hư hỏng nặng, không sửa chữa được hoặc sửa chữa không hiệu quả – Nòng rỗ"
    )
    with pytest.raises(DomainError) as caught:
        disposal.decide(
            Proposal.objects.get(pk=proposal.pk), actor=world.officer, decision_number="x", decided_on=TODAY
        )
    assert "đã có quyết định số 125/QĐ-BCH" in caught.value.message
    assert Event.objects.count() - before == 5
    assert [s.to_state for s in Step.objects.filter(proposal=proposal)] == [
        "draft", "submitted", "returned", "submitted", "decided",
    ]  # fmt: skip
    with pytest.raises(AppendOnlyError):
        Step.objects.filter(proposal=proposal).delete()
    # The decision is the echelon's: the unit does not undo it from the register by a reversal.
    disposed = Event.objects.filter(item=worn["AK-TL1"], kind="dispose").get()
    for actor in (world.district_officer, world.officer):
        with pytest.raises(DomainError) as caught:
            services.reverse_event(disposed, reason="Ghi nhầm", actor=actor)
        assert caught.value.field == "event" and "125/QĐ-BCH" in caught.value.message
    assert fresh(worn["AK-TL1"]).status == Status.DISPOSED
    assert verify_ledger().ok


def test_what_may_not_be_listed_is_refused_naming_the_item(world, worn):
    proposal = draft(world)
    with pytest.raises(DomainError) as caught:
        disposal.add_lines(proposal, [disposal.Wanted(worn["B"], ground("mat"))], actor=world.district_officer)
    assert "AK-B-TL không thuộc" in caught.value.message
    services.record(
        "issue", fresh(worn["AK-TOT"]), holder="Binh nhất Lò Văn Súng", occurred_on=TODAY, actor=world.officer
    )
    with pytest.raises(DomainError) as caught:
        disposal.add_lines(
            proposal, [disposal.Wanted(fresh(worn["AK-TOT"]), ground("lac-hau"))], actor=world.district_officer
        )
    assert "đang cấp cho Binh nhất Lò Văn Súng" in caught.value.message
    order = workorders.create_order(
        actor=world.officer, unit=world.district_a1, kind="repair", title="Sửa súng", fault="Kẹt đạn",
        items=[workorders.Wanted(fresh(worn["AK-TL2"]))], state="open",
    )  # fmt: skip
    with pytest.raises(DomainError) as caught:
        disposal.add_lines(
            proposal, [disposal.Wanted(fresh(worn["AK-TL2"]), ground("hu-hong-nang"))], actor=world.district_officer
        )
    assert f"phiếu công việc {order.number} chưa xong" in caught.value.message
    # Several refused at once are all named, and nothing is added.
    with pytest.raises(DomainError) as caught:
        disposal.add_lines(
            proposal,
            [disposal.Wanted(fresh(worn[s]), ground("hu-hong-nang")) for s in ("AK-TL2", "AK-TOT")],
            actor=world.district_officer,
        )
    assert "AK-TL2" in caught.value.message and "Binh nhất Lò Văn Súng" in caught.value.message
    assert proposal.lines.count() == 0
    disposal.add_lines(
        proposal, [disposal.Wanted(fresh(worn["AK-TL1"]), ground("hu-hong-nang"))], actor=world.district_officer
    )
    other = draft(world, number="2/TTr-TL")
    with pytest.raises(DomainError) as caught:
        disposal.add_lines(
            other, [disposal.Wanted(fresh(worn["AK-TL1"]), ground("hu-hong-nang"))], actor=world.district_officer
        )
    assert "đã có trong đề nghị 1/TTr-TL" in caught.value.message
    with pytest.raises(DomainError) as caught:
        disposal.add_lines(
            proposal, [disposal.Wanted(fresh(worn["AK-TL1"]), ground("mat"))], actor=world.district_officer
        )
    assert "đã có trong đề nghị này" in caught.value.message
    with pytest.raises(DomainError) as caught:
        draft(world)  # the same number again
    assert caught.value.field == "number"
    with pytest.raises(DomainError) as caught:
        disposal.submit(other, actor=world.district_officer)
    assert caught.value.field == "items"


def test_the_suggestions_are_worn_out_and_long_awaiting_items_not_yet_proposed(world, worn):
    suggested = {i.serial for i in disposal.suggestions(world.officer, world.province_a)}
    assert suggested == {"AK-TL1", "AK-TL2", "AK-TL3"}
    proposal = draft(world)
    disposal.add_lines(
        proposal, [disposal.Wanted(fresh(worn["AK-TL1"]), ground("hu-hong-nang"))], actor=world.district_officer
    )
    assert {i.serial for i in disposal.suggestions(world.officer, world.province_a)} == {"AK-TL2", "AK-TL3"}
    assert {i.serial for i in disposal.suggestions(world.outsider, world.province_b)} == {"AK-B-TL"}


def test_the_pages_walk_a_proposal_and_a_replayed_decision_writes_nothing_twice(client, world, worn):
    client.force_login(world.district_officer)
    created = client.post(
        f"/thanh-ly/them/?unit={world.district_a1.code}",
        {
            "number": "3/TTr-TL",
            "title": "Thanh lý súng hỏng",
            "proposed_on": (TODAY - timedelta(days=1)).strftime("%d/%m/%Y"),
        },
    )
    assert created.status_code == 302
    proposal = Proposal.objects.get(number="3/TTr-TL")
    url = f"/thanh-ly/{proposal.pk}/"
    page = unescape(client.get(url).content.decode())
    assert "Nên đưa vào đề nghị" in page and "AK-TL2" in page
    unknown = client.post(
        url, {"action": "add", "serials": "AK-TL1\nAK-KHONG-CO", "ground": ground("mat").pk, "version": 1}
    )
    assert unknown.status_code == 422 and "AK-KHONG-CO" in unescape(unknown.content.decode())
    # What was chosen and typed comes back with the refusal: the ground, the note, the ticked rows.
    kept = unescape(
        client.post(
            url,
            {"action": "add", "serials": "AK-KHONG-CO", "ground": ground("mat").pk, "note": "Mất khi hành quân",
             "version": 1},
        ).content.decode()
    )  # fmt: skip
    assert f'value="{ground("mat").pk}" selected' in kept and 'value="Mất khi hành quân"' in kept
    ticked = client.post(url, {"action": "add_suggested", "item": [worn["AK-TL2"].pk], "version": 1})
    assert ticked.status_code == 422 and f'value="{worn["AK-TL2"].pk}" aria-label="AK-TL2" checked' in (
        ticked.content.decode()
    )
    added = client.post(
        url, {"action": "add", "serials": "AK-TL1\nAK-TL2", "ground": ground("hu-hong-nang").pk, "version": 1}
    )
    assert added.status_code == 302 and proposal.lines.count() == 2
    stale = client.post(url, {"action": "submit", "version": 1})
    assert stale.status_code == 409
    assert client.post(url, {"action": "submit", "version": 2}).status_code == 302
    printed = unescape(client.get(f"/thanh-ly/{proposal.pk}/ban-in/").content.decode())
    assert "Tờ trình đề nghị loại khỏi biên chế, thanh lý trang bị".upper() in printed.upper()
    assert "Cộng: 2 trang bị" in printed and "AK-TL2" in printed
    client.force_login(world.officer)  # the province decides
    body = {
        "action": "decide",
        "decision_number": "77/QĐ-BCH",
        "decided_on": TODAY.strftime("%d/%m/%Y"),
        "version": 3,
        "idempotency_key": "k-decide-000001",
    }
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302  # a replay
    assert Event.objects.filter(kind="dispose", document_number="77/QĐ-BCH").count() == 2
    # The item's history opens the proposal its disposal carried out.
    item_page = unescape(client.get(f"/trang-bi/{worn['AK-TL1'].pk}/").content.decode())
    assert f'href="/thanh-ly/{proposal.pk}/" data-testid="proposal-link">77/QĐ-BCH' in item_page
    assert "(đề nghị 3/TTr-TL)" in item_page
    listing = unescape(client.get("/thanh-ly/", {"unit": world.province_a.code}).content.decode())
    assert "3/TTr-TL" in listing and "Đã có quyết định" in listing
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert "3/TTr-TL" not in client.get("/thanh-ly/").content.decode()
    client.force_login(world.commander)
    assert client.get("/thanh-ly/them/").status_code == 403


def test_the_api_drafts_submits_and_decides(world, worn):
    mine, province = Api(world.district_officer), Api(world.officer)
    made = mine.post(
        "/disposal/proposals",
        {"unit": world.district_a1.code, "number": "5/TTr-TL", "title": "Thanh lý", "proposed_on": TODAY.isoformat()},
    )
    assert made.status_code == 200, made.content
    pid = made.json()["id"]
    bad = mine.post(f"/disposal/proposals/{pid}/lines", {"lines": [{"item": worn["AK-TL1"].pk, "ground": "khong-co"}]})
    assert bad.status_code == 422 and bad.json()["field"] == "ground"
    lines = mine.post(
        f"/disposal/proposals/{pid}/lines", {"lines": [{"item": worn["AK-TL1"].pk, "ground": "mat-dong-bo"}]}
    )
    assert lines.status_code == 200 and [line["serial"] for line in lines.json()["lines"]] == ["AK-TL1"]
    assert mine.post(f"/disposal/proposals/{pid}/submit", {}).json()["state"] == "submitted"
    decided = province.post(
        f"/disposal/proposals/{pid}/decision", {"decision_number": "8/QĐ", "decided_on": TODAY.isoformat()}
    )
    assert decided.status_code == 200 and decided.json()["state"] == "decided" and len(decided.json()["events"]) == 2
    assert fresh(worn["AK-TL1"]).status == Status.DISPOSED
    assert [p["number"] for p in province.get("/disposal/proposals", unit=world.province_a.code).json()] == ["5/TTr-TL"]
    outsider = Api(world.outsider)
    assert outsider.get(f"/disposal/proposals/{pid}").status_code == 404
    assert (
        outsider.post(
            f"/disposal/proposals/{pid}/decision", {"decision_number": "x", "decided_on": TODAY.isoformat()}
        ).status_code
        == 404
    )
    assert date.fromisoformat(decided.json()["decided_on"]) == TODAY


def test_a_cut_list_of_suggestions_says_how_many_are_waiting(client, world, worn, monkeypatch):
    from materiel.disposal import views

    monkeypatch.setattr(views, "SUGGESTIONS", 2)
    client.force_login(world.district_officer)
    proposal = draft(world)
    page = unescape(client.get(f"/thanh-ly/{proposal.pk}/").content.decode())
    waiting = len(disposal.suggestions(world.district_officer, proposal.unit))
    assert waiting > 2 and f"Hiện 2 trong {waiting} trang bị nên đưa vào đề nghị" in page
