"""Deny by default: every page needs a signed-in user unless its view is marked public."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

API_PREFIX = "/api/"


def public(view):
    view.materiel_public = True
    return view


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "materiel_public", False) or request.user.is_authenticated:
            return None
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        if request.path.startswith(API_PREFIX):
            # The API authenticates every operation itself (token or session) and answers 401, not a redirect;
            # its schema and docs pages are behind login_required.
            return None
        return redirect_to_login(request.get_full_path())
