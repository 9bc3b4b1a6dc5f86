"""The header's and footer's links, reversed once per process for each script prefix."""

import pytest
from django.template import engines
from django.urls import clear_script_prefix, set_script_prefix

pytestmark = pytest.mark.django_db

LINKS = "{% load site_links %}{% link 'catalogue:browse' %} {% link 'api_docs' %}"


def render(text):
    return engines["django"].from_string(text).render({})


def test_a_link_is_the_address_url_gives():
    assert render(LINKS) == render("{% url 'catalogue:browse' %} {% url 'api_docs' %}")
    assert render(LINKS).startswith("/titles/ ")


def test_a_site_served_under_a_prefix_gets_links_under_it():
    set_script_prefix("/sadlist/")
    try:
        assert render(LINKS).startswith("/sadlist/titles/ /sadlist/")
    finally:
        clear_script_prefix()
    assert render(LINKS).startswith("/titles/ ")


def test_every_page_header_links_the_site(client):
    html = client.get("/lists/").content.decode()
    for address, name in [
        ("/titles/", "Browse"),
        ("/themes/", "Themes"),
        ("/lists/", "The lists"),
    ]:
        assert f'<a href="{address}"' in html, name
    assert '<a href="/account/signup/">Sign up</a>' in html
