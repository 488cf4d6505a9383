"""The request of a signed-in page, for the types only: its user is one of ours, never anonymous.

The pages of accounts (and of the apps to its right) sit behind login_required; an annotation
`request: UserRequest` says so to mypy. Nothing is ever an instance of it at run time."""

from django.http import HttpRequest

from .models import User


class UserRequest(HttpRequest):
    user: User  # narrower than HttpRequest's: signed in, never AnonymousUser
