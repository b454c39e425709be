"""The project's apps form layers: each app imports only apps listed before it in INSTALLED_APPS
(``core`` at the bottom, ``devdata`` at the top; ``config`` composes them all). An import the
other way is how a figure ends up computed twice and a domain app ends up knowing its pages."""

import ast
import graphlib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()]
PROJECT = [*LAYERS, "config"]


def imported_apps(app: str):
    """(module path, line, imported project app) for every import in ``app``, function-level ones
    included, migrations excluded (they are generated and refer to models by app label)."""
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in PROJECT and top != app:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", top


def test_every_project_app_has_a_layer():
    packages = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert packages == set(LAYERS), "list every app (once) in INSTALLED_APPS, in its layer"


def test_apps_import_only_lower_layers():
    rank = {app: index for index, app in enumerate(PROJECT)}
    upward = [
        f"{where}: {app} imports {imported} (a higher layer)"
        for app in PROJECT
        for where, imported in imported_apps(app)
        if rank[imported] > rank[app]
    ]
    assert upward == []


def test_no_app_import_cycles():
    graph = {app: {imported for _where, imported in imported_apps(app)} for app in PROJECT}
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle
