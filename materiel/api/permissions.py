"""Which roles may call which write operation, said in the API docs.

The services check every call (`scoping.require`); this only tells the reader beforehand. Each write
operation's description names the roles that may call it, and the interactive docs of a signed-in
reader list only the operations their role may call (a commander, who reads, sees no POST)."""

import re
from contextvars import ContextVar
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _

from materiel.accounts.models import Role
from materiel.accounts.scoping import ACTIONS, allowed

# The permission of a write, by the end of its path; every other write records ("ledger.record").
BY_PATH = [
    (re.compile(r"/transfer$"), "ledger.transfer"),
    (re.compile(r"/(grade|regrade)$"), "ledger.grade"),
    (re.compile(r"/reverse$"), "ledger.reverse"),
    (re.compile(r"/workorders(/|$)"), "workorders.manage"),
    (re.compile(r"/inspections(/|$)"), "inspections.manage"),
    (re.compile(r"/counts/campaigns$"), "counts.launch"),
    (re.compile(r"/counts/sheets/[^/]+/(approval|return)$"), "counts.launch"),
    (re.compile(r"/counts/sheets/[^/]+/unit-(approval|return)$"), "counts.approve"),
    (re.compile(r"/counts/sheets/"), "counts.count"),
]
WRITES = {"post", "put", "patch", "delete"}
_reader: ContextVar = ContextVar("docs_reader", default=None)


def permission_of(method: str, path: str) -> str | None:
    if method.lower() not in WRITES:
        return None
    return next((permission for pattern, permission in BY_PATH if pattern.search(path)), "ledger.record")


def roles_text(permission: str) -> str:
    roles = ", ".join(str(Role(role).label) for role in Role.values if role in ACTIONS[permission])
    return _("Vai trò được phép: %(roles)s.") % {"roles": roles}


def annotate(schema: dict, reader=None) -> dict:
    """Name the allowed roles on every write operation; for a reader, drop what they may not call."""
    for path, operations in list(schema.get("paths", {}).items()):
        for method, operation in list(operations.items()):
            permission = permission_of(method, path)
            if permission is None:
                continue
            if reader is not None and not allowed(reader, permission):
                del operations[method]
                continue
            said = [operation.get("description", ""), roles_text(permission)]
            operation["description"] = " ".join(part for part in said if part)
        if not operations:
            del schema["paths"][path]
    return schema


def docs_for_reader(view):
    """The docs pages and schema: signed-in users only, and written for the one who reads them."""

    @wraps(view)
    def reading(request, *args, **kwargs):
        token = _reader.set(request.user)
        try:
            return view(request, *args, **kwargs)
        finally:
            _reader.reset(token)

    return login_required(reading)


def current_reader():
    return _reader.get()
