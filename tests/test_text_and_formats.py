from datetime import date
from decimal import Decimal

from django import forms
from django.template import Context, Template
from django.utils import translation

from materiel.core.text import fold, nfc


def test_fold_ignores_diacritics_case_and_d_stroke():
    assert fold("Súng Đại liên") == "sung dai lien"
    assert fold("ĐẠN") == "dan"
    assert fold("Xe U-oát") == "xe u-oat"


def test_fold_treats_nfd_and_nfc_and_both_hoa_spellings_alike():
    nfd = "Ho\u0300a"  # o + combining grave, as some Excel files store it
    assert fold(nfd) == fold("Hòa") == fold("Hoà") == "hoa"
    assert nfc(" Ho\u0300a\u00a0 Bình ") == "Hòa Bình"


def test_dates_parse_day_first_in_vietnamese():
    with translation.override("vi"):
        field = forms.DateField()
        assert field.clean("05/02/2025") == date(2025, 2, 5)
        assert field.clean("16-03-2022") == date(2022, 3, 16)


def test_numbers_and_dates_print_vietnamese_style():
    with translation.override("vi"):
        out = Template("{{ n }}|{{ d }}|{{ day|date:'SHORT_DATE_FORMAT' }}").render(
            Context({"n": 1234567, "d": Decimal("1234567.5"), "day": date(2025, 2, 5)})
        )
    assert out == "1.234.567|1.234.567,5|05/02/2025"
