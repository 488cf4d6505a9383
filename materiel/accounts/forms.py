from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from materiel.core.widgets import QuickSelect
from materiel.units.models import Unit, UnitQuerySet

from .models import AuditKind, Role, User


class UserForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    rank_title = forms.CharField(label=_("Cấp bậc, chức vụ"), max_length=120, required=False)
    unit = forms.ModelChoiceField(label=_("Đơn vị (phạm vi)"), queryset=Unit.objects.none(), widget=QuickSelect)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    password = forms.CharField(
        label=_("Mật khẩu"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Ít nhất 10 ký tự, không quá đơn giản. Để trống khi sửa nếu không đổi."),
    )
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)
    reset_otp = forms.BooleanField(label=_("Hủy xác thực hai lớp (mất điện thoại)"), required=False)

    def __init__(self, *args: Any, units: UnitQuerySet | None = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units if units is not None else Unit.objects.none()
        if editing:
            self.fields["username"].disabled = True
        else:
            self.fields["password"].required = True
            del self.fields["is_active"], self.fields["reset_otp"]


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=[("", _("Tất cả"))] + AuditKind.choices, required=False)
    username = forms.CharField(label=_("Tên đăng nhập"), required=False)
    since = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    until = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Mã 6 số trên ứng dụng xác thực"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(forms.Form):
    """A user's own new password: the current one asked again, the new one twice."""

    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 10 ký tự, không quá đơn giản, không giống tên đăng nhập."),
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        password: str = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mật khẩu hiện tại không đúng."), code="password_incorrect")
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean() returns cleaned_data
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("Hai lần nhập mật khẩu mới không khớp."))
        return data
