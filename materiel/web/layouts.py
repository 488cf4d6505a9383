"""Layout profiles of documents (documents.LayoutProfile): everyone reads the list; `catalog.manage`
(the role that keeps the shared reference data) adds and edits them. The print views load a
profile's stylesheet from here (the CSP allows no inline style)."""

import re

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.accounts.scoping import allowed
from materiel.core.views import object_view
from materiel.documents.engine import profile_css
from materiel.documents.models import LayoutProfile
from materiel.documents.services import save_profile

from .catalogue.views import require_page

FONT_NAME = re.compile(r"^[\w \-]{1,80}$")
FIELDS = [f.name for f in LayoutProfile._meta.get_fields() if getattr(f, "editable", False) and f.name not in ("id",)]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = LayoutProfile
        fields = FIELDS
        widgets = {"valid_from": forms.DateInput(format="%d/%m/%Y"), "valid_to": forms.DateInput(format="%d/%m/%Y")}

    def clean_font_family(self):
        value = self.cleaned_data["font_family"]
        if not FONT_NAME.match(value):
            raise forms.ValidationError(gettext_lazy("Tên phông chữ chỉ gồm chữ, số, dấu cách và gạch nối."))
        return value

    def clean_page_numbers_from(self):
        value = self.cleaned_data["page_numbers_from"]
        if value not in (1, 2):
            raise forms.ValidationError(gettext_lazy("Đánh số trang từ trang 1 hoặc trang 2."))
        return value

    def clean_unconfirmed(self):
        value = self.cleaned_data["unconfirmed"] or []
        if not isinstance(value, list) or any(name not in FIELDS for name in value):
            raise forms.ValidationError(gettext_lazy('Danh sách tên trường của mẫu, ví dụ ["margin_top"].'))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end <= start:
            self.add_error("valid_to", gettext_lazy("Ngày hết áp dụng phải sau ngày áp dụng."))
        number = data.get("number_format") or ""
        try:
            number.format(number="1", kind="BC", body="ĐU")
        except (KeyError, IndexError, ValueError):
            self.add_error(
                "number_format",
                gettext_lazy("Mẫu số chỉ dùng {number}, {kind} và {body}, ví dụ “Số: {number}/{kind}-{body}”."),
            )
        return data


def profile_list(request):
    profiles = LayoutProfile.objects.order_by("family", "-valid_from")
    return render(
        request,
        "web/layouts.html",
        {"profiles": profiles, "can_edit": allowed(request.user, "catalog.manage")},
    )


@object_view(LayoutProfile)  # shared reference data: the same for every subtree
def profile_edit(request, code=None):
    require_page(request.user, "catalog.manage")
    profile = get_object_or_404(LayoutProfile, code=code) if code else None
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        saved = save_profile(actor=request.user, form=form, profile=profile)
        messages.success(request, _("Đã lưu mẫu trình bày %(name)s.") % {"name": saved.name})
        return redirect("web:profiles")
    return render(
        request, "web/layout_form.html", {"form": form, "profile": profile}, status=422 if form.errors else 200
    )


@object_view(LayoutProfile)
def profile_stylesheet(request, code):
    profile = get_object_or_404(LayoutProfile, code=code)
    landscape = request.GET.get("landscape") == "1"
    return HttpResponse(profile_css(profile, landscape=landscape), content_type="text/css; charset=utf-8")
