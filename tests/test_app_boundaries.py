"""
Dependencies point one way: `reviews` may import `catalogue`, `catalogue` never imports
`reviews` or `pages`, and the pages that need both are composed in `pages`.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize(
    "app, never",
    [("catalogue", {"reviews", "pages"}), ("reviews", {"pages"})],
)
def test_an_app_never_imports_the_apps_built_on_it(app, never):
    found = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] in never
    ]
    assert found == []


def test_catalogue_templates_load_no_tags_of_other_apps():
    loads = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in sorted((ROOT / "templates" / "catalogue").rglob("*.html"))
        for line in path.read_text().splitlines()
        if "{% load" in line and "reviews" in line
    ]
    assert loads == []


def test_one_percentage_rule():
    """Whole percentages are computed in one place (largest remainders) for every page."""
    definitions = {
        f"{path.relative_to(ROOT)}"
        for app in ("catalogue", "reviews", "pages", "accounts", "sadlist")
        for path in sorted((ROOT / app).rglob("*.py"))
        for line in path.read_text().splitlines()
        if line.lstrip().startswith("def ") and "percent" in line
    }
    assert definitions == {"reviews/models/title_stats.py"}
