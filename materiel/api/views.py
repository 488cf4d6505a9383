"""The page where a user creates (sees once) and revokes personal API tokens."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from materiel.core.errors import DomainError
from materiel.core.views import object_view

from .models import ApiToken
from .tokens import issue_token, revoke_token


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên gợi nhớ"), max_length=100)
    expires_on = forms.DateField(
        label=gettext_lazy("Hết hạn ngày (không bắt buộc)"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )


def token_list(request):
    form = TokenForm(request.POST or None)
    plain = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, plain = issue_token(
                request.user, name=form.cleaned_data["name"], expires_on=form.cleaned_data["expires_on"]
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "api/tokens.html", {"form": form, "tokens": tokens, "plain": plain}, status=422 if form.errors else 200
    )


@object_view(ApiToken)
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    revoke_token(token, actor=request.user)
    messages.success(request, _("Đã thu hồi khóa %(name)s.") % {"name": token.name})
    return redirect("apikeys:tokens")
