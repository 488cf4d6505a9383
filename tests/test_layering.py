"""Dependencies point one way: an app imports only from the apps to its left in the order that
docs/architecture.md declares (its first paragraph), function-level imports included."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "materiel"
# The one declared exception: `visible_to` on the units (and the scoped rows of core) asks
# accounts.scoping for the user's subtree (docs/architecture.md).
EXCEPTIONS = {("units", "accounts"), ("core", "accounts")}
# Still to move (issue #13): none. Listed here so that nothing new joins them while they wait.
PENDING: set[tuple[str, str]] = set()


def declared_order() -> dict[str, int]:
    """app -> rank from the architecture's chain: `units` → `accounts` → … → `api`, `web`."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    chain = next(line for line in text.splitlines() if "→" in line and "`units`" in line)
    ranks = {"core": 0}
    for rank, step in enumerate(chain.split("→"), start=1):
        for app in re.findall(r"`([a-z]+)`", step):
            ranks[app] = rank
    ranks["bench"] = len(ranks) + 1  # development tooling, above everything
    return ranks


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in found if name.startswith("materiel.") and name.count(".") >= 1}


def violations() -> set[tuple[str, str, str]]:
    ranks = declared_order()
    found = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) < 2 or "migrations" in relative.parts:
            continue
        app = relative.parts[0]
        if app not in ranks:
            continue
        for target in imports_of(path):
            if target in ranks and target != app and ranks[target] >= ranks[app]:
                found.add((app, target, str(relative)))
    return found


def test_the_declared_order_names_every_app():
    apps = {path.name for path in PACKAGE.iterdir() if (path / "apps.py").exists() or (path / "models.py").exists()}
    assert apps - set(declared_order()) == set()


def test_no_app_imports_from_an_app_to_its_right():
    found = {(app, target, where) for app, target, where in violations() if (app, target) not in EXCEPTIONS}
    unexpected = {item for item in found if item[:2] not in PENDING}
    assert not unexpected, sorted(unexpected)
    # A pending one that is fixed leaves the list (so the list only shrinks).
    assert {item[:2] for item in found} == PENDING
