"""
Tests render every page with a `string_if_invalid` that fails on a variable our own
templates print but the context does not hold: a misspelt name would otherwise render
as nothing, and a test reading the page could miss it.

Only what our templates (templates/ and the apps' own) print with `{{ }}` fails.
Django's templates, the admin's above all, rely on a missing variable printing nothing,
as Django's documentation warns, and print nothing here too. So do the values our tags
take (`{% with here=request.resolver_match.url_name %}` on a page no URL resolved):
they are not printed as they are, and `{% if %}` and `{% for %}`, which never see
`string_if_invalid`, test whether a variable is there.
"""

import sys
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import TemplateSyntaxError
from django.template.base import Node, VariableNode


@cache
def our_template_directories():
    """
    The engine's own directories and the templates/ of each of our apps (an app of this
    project, not one installed as a package), read from the settings and the app
    registry, so a new app is covered without a list here to keep.
    """
    base = Path(settings.BASE_DIR)
    apps_here = [
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and "site-packages" not in Path(config.path).parts
    ]
    directories = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]
    return tuple(directories + [path / "templates" for path in apps_here])


class UndefinedVariable(str):
    """
    Django formats `string_if_invalid` with the variable's name when it holds "%s":
    here, that raises for a `{{ }}` of our templates, and gives nothing for any other.
    """

    def __mod__(self, variable):
        origin = rendering_origin()
        if origin is not None and is_ours(origin):
            raise TemplateSyntaxError(
                f"{origin}: {{{{ {variable} }}}} is not in the context (misspelt, or not "
                "passed to the template?)"
            )
        return ""


def rendering_origin():
    """
    The file name of the template whose `{{ }}` is being rendered, found up the call
    stack; None when the variable is a tag's (or no template's).
    """
    frame = sys._getframe(1)
    while frame is not None:
        node = frame.f_locals.get("self")
        if isinstance(node, Node):
            origin = getattr(node, "origin", None)
            return getattr(origin, "name", None) if isinstance(node, VariableNode) else None
        frame = frame.f_back
    return None


def is_ours(name):
    path = Path(str(name))
    return any(path.is_relative_to(directory) for directory in our_template_directories())


def check_templates():
    """Make the project's template engine fail on undefined variables of our templates."""
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = UndefinedVariable("%s")
