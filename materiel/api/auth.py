"""Who is calling: a personal token (other systems, scripts) or the browser's session."""

from ninja.security import HttpBearer, SessionAuth

from materiel.accounts.middleware import needs_second_factor

from .tokens import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer mat_…`: the token acts as its user, with the same role and scope."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """The signed-in browser session (CSRF-checked for writes), once its second factor is given."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        return None if not user.is_verified() and needs_second_factor(user) else user
