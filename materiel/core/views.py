"""Markers on views that tests and middleware read."""


def object_view(model):
    """Declare which model a view's `pk` names, so the leak test can feed it other subtrees' ids."""

    def mark(view):
        view.scoped_model = model
        return view

    return mark
