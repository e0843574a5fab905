"""Dependencies point one way (common <- talks <- actions <- interface apps <- notesite)
beyond imports too: talks' templates and code link only to talks' own URL names and
the site's root pages, and use no related manager that an app above talks declares.
import-linter holds the imports; these tests hold what it cannot see."""

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import loader
from django.template.defaulttags import URLNode
from django.template.library import SimpleNode
from django.template.loader_tags import IncludeNode

TEMPLATES = Path(settings.BASE_DIR) / "templates"
TALKS = Path(apps.get_app_config("talks").path)
# The pages of the site itself, which every page's chrome links to.
ROOT_NAMES = {"home", "login", "logout", "password_change"}


def allowed_in_talks(name: str) -> bool:
    """A URL name talks may reverse: its own, a root page, or its own models' admin."""
    return name.startswith(("talks:", "admin:talks_")) or name in ROOT_NAMES


def literal(expression) -> str | None:
    """The string a template tag argument is, or None when it is a variable (the
    including template passes it, and owns the name)."""
    return expression.var if isinstance(expression.var, str) else None


def url_names(template_name: str, seen: set[str] | None = None) -> dict[str, str]:
    """Every URL name ``template_name`` and the templates it includes reverse, each
    with the template that reverses it."""
    seen = set() if seen is None else seen
    if template_name in seen:
        return {}
    seen.add(template_name)
    nodelist = loader.get_template(template_name).template.nodelist
    names = {}
    for node in nodelist.get_nodes_by_type(URLNode):
        if (name := literal(node.view_name)) is not None:
            names[name] = template_name
    # {% route "name" … %} reverses as {% url %} does.
    for node in nodelist.get_nodes_by_type(SimpleNode):
        if node.func.__name__ == "route" and (name := literal(node.args[0])) is not None:
            names[name] = template_name
    for node in nodelist.get_nodes_by_type(IncludeNode):
        if (included := literal(node.template)) is not None:
            names.update(url_names(included, seen))
    return names


def talks_templates() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in (TEMPLATES / "talks").glob("*.html"))


def talks_modules() -> list[Path]:
    return sorted(p for p in TALKS.rglob("*.py") if "migrations" not in p.parts)


def test_talks_templates_reverse_only_talks_and_root_url_names():
    reversed_names, walked = {}, set()
    for name in talks_templates():
        reversed_names.update(url_names(name, walked))
    assert "_tags.html" in walked  # the walk reaches included partials
    assert {
        name: where for name, where in reversed_names.items() if not allowed_in_talks(name)
    } == {}


def test_talks_code_reverses_only_talks_url_names():
    outside = []
    for path in talks_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "reverse"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and not allowed_in_talks(node.args[0].value)
            ):
                outside.append(f"{path.relative_to(TALKS)}:{node.lineno} {node.args[0].value}")
    assert outside == []


def related_managers_from_above() -> set[str]:
    """The related managers that models outside talks put on talks' models."""
    return {
        relation.get_accessor_name()
        for model in apps.get_app_config("talks").get_models()
        for relation in model._meta.related_objects
        if relation.related_model._meta.app_label != "talks"
    }


def test_talks_uses_no_related_manager_of_apps_above_it():
    accessors = related_managers_from_above()
    assert "actionpoints" in accessors  # actions' ActionPoint.event, for one
    names = "|".join(map(re.escape, sorted(accessors)))
    uses = re.compile(rf"\.({names})\b")
    sources = [*talks_modules(), *(TEMPLATES / "talks").glob("*.html")]
    found = [
        f"{path.name}:{number} .{match.group(1)}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for match in uses.finditer(line)
    ]
    assert found == []
