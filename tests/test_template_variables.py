"""A variable our templates print but do not get fails the test that renders it."""

from pathlib import Path

import django
import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError, engines
from django.template.base import Origin

SOURCE = "<p>{{ title.name }} made {{ reader_name }} cry</p>{% if missing %}never{% endif %}"


def template_at(path):
    """SOURCE as if read from `path`."""
    return Template(SOURCE, origin=Origin(name=str(path)), engine=engines["django"].engine)


def test_a_misspelt_variable_of_our_templates_fails_the_render():
    template = template_at(Path(settings.BASE_DIR) / "templates" / "catalogue" / "probe.html")
    context = Context({"title": {"name": "Clannad"}, "reader_nmae": "Ana"})
    with pytest.raises(TemplateSyntaxError, match=r"probe\.html: \{\{ reader_name \}\}"):
        template.render(context)


def test_every_variable_there_renders_and_if_may_still_test_for_one():
    template = template_at(Path(settings.BASE_DIR) / "reviews" / "templates" / "probe.html")
    rendered = template.render(Context({"title": {"name": "Clannad"}, "reader_name": "Ana"}))
    assert rendered == "<p>Clannad made Ana cry</p>"


def test_djangos_own_templates_print_nothing_for_a_missing_variable():
    admin = Path(django.__file__).parent / "contrib" / "admin" / "templates" / "probe.html"
    rendered = template_at(admin).render(Context({"title": {"name": "Clannad"}}))
    assert rendered == "<p>Clannad made  cry</p>"


def test_a_tags_missing_value_gives_nothing_as_django_does():
    template = Template(
        "{% with here=request.resolver_match.url_name %}[{{ title }}{% if here %}!{% endif %}]"
        "{% endwith %}",
        origin=Origin(name=str(Path(settings.BASE_DIR) / "templates" / "probe.html")),
        engine=engines["django"].engine,
    )
    assert template.render(Context({"title": "Clannad", "request": None})) == "[Clannad]"
