"""The two layout profiles of issue #18, as editable reference data (docs/documents.md gives each
figure's source; `unconfirmed` names the figures no official source confirmed)."""

from datetime import date
from decimal import Decimal as D

from django.db import migrations

STATE = {
    "name": "Văn bản hành chính – Nghị định 30/2020/NĐ-CP, Phụ lục I",
    "family": "state",
    "source": "Nghị định 30/2020/NĐ-CP ngày 05/3/2020 về công tác văn thư, Phụ lục I",
    "valid_from": date(2020, 3, 5),
    "margin_top": D(20),
    "margin_bottom": D(20),
    "margin_left": D(30),
    "margin_right": D(15),
    "font_family": "Times New Roman",
    "body_size": D(14),
    "line_spacing": D("1.15"),
    "paragraph_spacing": D(6),
    "first_line_indent": D("12.7"),
    "title_text": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "title_size": D(13),
    "motto_text": "Độc lập - Tự do - Hạnh phúc",
    "motto_size": D(14),
    "superior_size": D(13),
    "issuer_size": D(13),
    "issuer_mark": "",
    "number_format": "Số: {number}/{kind}-{body}",
    "number_size": D(13),
    "place_date_size": D(14),
    "kind_size": D(14),
    "subject_size": D(14),
    "signer_size": D(14),
    "recipients_label_size": D(12),
    "recipients_size": D(11),
    "page_number_size": D(14),
    "page_numbers_from": 2,
    # Phụ lục I §V's size table was found only in transcriptions (research wave 2, §1b).
    "unconfirmed": [
        "first_line_indent",
        "title_size",
        "motto_size",
        "superior_size",
        "issuer_size",
        "number_size",
        "place_date_size",
        "kind_size",
        "subject_size",
        "signer_size",
    ],
}
PARTY = {
    "name": "Văn bản của Đảng – Hướng dẫn 36-HD/VPTW",
    "family": "party",
    "source": "Hướng dẫn 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng, Phụ lục 3",
    "valid_from": date(2018, 4, 3),
    "margin_top": D(20),
    "margin_bottom": D(20),
    "margin_left": D(30),
    "margin_right": D(15),
    "font_family": "Times New Roman",
    "body_size": D(14),
    "line_spacing": D("1.15"),
    "paragraph_spacing": D(6),
    "first_line_indent": D(10),
    "title_text": "ĐẢNG CỘNG SẢN VIỆT NAM",
    "title_size": D(15),
    "motto_text": "",
    "motto_size": D(14),
    "superior_size": D(14),
    "issuer_size": D(14),
    "issuer_mark": "*",
    "number_format": "Số {number}-{kind}/{body}",
    "number_size": D(14),
    "place_date_size": D(14),
    "kind_size": D(16),
    "subject_size": D(14),
    "signer_size": D(14),
    "recipients_label_size": D(12),
    "recipients_size": D(11),
    "page_number_size": D(14),
    "page_numbers_from": 2,
    # The margins were cut off in every official source; signature block, "Nơi nhận" and spacing
    # conflict between unofficial tools; no page number on page 1 is assumed (research wave 2, §1a).
    "unconfirmed": [
        "margin_top",
        "margin_bottom",
        "margin_left",
        "margin_right",
        "font_family",
        "line_spacing",
        "paragraph_spacing",
        "first_line_indent",
        "signer_size",
        "recipients_label_size",
        "recipients_size",
        "page_number_size",
        "page_numbers_from",
    ],
}
PROFILES = {"nd30-2020": STATE, "hd36-2018": PARTY}


def load(apps, schema_editor):
    Profile = apps.get_model("documents", "LayoutProfile")
    for code, figures in PROFILES.items():
        Profile.objects.get_or_create(code=code, defaults=figures)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_layout_profiles")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
