"""Markers on views that tests and middleware read."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model

View = TypeVar("View", bound=Callable[..., Any])


def object_view(model: type[Model]) -> Callable[[View], View]:
    """Declare which model a view's `pk` names, so the leak test can feed it other subtrees' ids."""

    def mark(view: View) -> View:
        view.scoped_model = model  # type: ignore[attr-defined]  # a marker on the view function
        return view

    return mark
