"""
A member keeps a list of causes to always avoid: browse and the theme pages leave out,
for them only, the titles those causes count for, and say how many, with a way to
show them. Visitors and other members see every title.
"""

import pytest
from django.test import Client

from reviews.models import AvoidedCause

from .factories import make_theme, make_title
from .test_browse import card_names
from .test_insights_browse import rate_many
from .test_insights_ratings import seed_causes

pytestmark = pytest.mark.django_db


@pytest.fixture
def dogs(db):
    causes = seed_causes()
    theme = make_theme("Dogs", slug="dogs")
    for name, named in (("Hachi", 3), ("Marley", 3), ("Bolt", 0)):
        rate_many(
            make_title(name, slug=name.lower(), themes=[theme]),
            3,
            named,
            causes["the-death-of-an-animal"],
        )
    return causes


def avoid(client, *causes):
    return client.post("/account/avoid/", {"causes": [str(cause.pk) for cause in causes]})


def test_a_member_keeps_an_avoid_list_on_their_account(reader_client, reader, dogs):
    html = reader_client.get("/members/reader/").content.decode()
    assert '<a href="/account/avoid/">What you would rather not cry about</a>' in html
    response = avoid(reader_client, dogs["the-death-of-an-animal"], dogs["war"])
    assert response.url == "/account/avoid/"
    assert set(AvoidedCause.objects.filter(user=reader).values_list("cause__slug", flat=True)) == {
        "the-death-of-an-animal",
        "war",
    }
    form = reader_client.get("/account/avoid/").content.decode()
    assert f'value="{dogs["war"].pk}" id="id_causes_7" checked' in form or "checked" in form


def test_browse_and_themes_leave_the_titles_out_with_a_note(reader_client, dogs):
    avoid(reader_client, dogs["the-death-of-an-animal"])
    response = reader_client.get("/titles/?sort=name")
    assert card_names(response) == ["Bolt"]
    html = response.content.decode()
    assert "2 titles hidden by your avoid list." in html
    assert '<a href="/titles/?sort=name&amp;show_avoided=1">Show them</a>' in html
    assert card_names(reader_client.get("/titles/?sort=name&show_avoided=1")) == [
        "Bolt",
        "Hachi",
        "Marley",
    ]
    theme = reader_client.get("/themes/dogs/").content.decode()
    assert "2 titles hidden by your avoid list." in theme
    assert "Hachi" not in theme
    # Nobody else is affected.
    visitor = Client()
    assert card_names(visitor.get("/titles/?sort=name")) == ["Bolt", "Hachi", "Marley"]
    assert "hidden by your avoid list" not in visitor.get("/themes/dogs/").content.decode()


def test_an_unknown_cause_is_refused_and_the_list_unchanged(reader_client, reader, dogs):
    avoid(reader_client, dogs["war"])
    response = reader_client.post("/account/avoid/", {"causes": ["999999"]})
    assert "999999 is not one of the causes offered" in response.content.decode()
    assert list(AvoidedCause.objects.filter(user=reader).values_list("cause__slug", flat=True)) == [
        "war"
    ]


@pytest.mark.parametrize("avoided", [1, 5])
def test_browse_for_a_member_with_an_avoid_list_takes_fixed_queries(
    reader_client, dogs, avoided, django_assert_num_queries
):
    avoid(reader_client, *list(dogs.values())[:avoided])
    # Session with its member, avoid list, 4 facets (kinds, themes, services, articles),
    # the causes offered, hidden count, count, page, which of its cards are on their list.
    with django_assert_num_queries(11):
        reader_client.get("/titles/")


@pytest.mark.parametrize("avoided", [1, 5])
def test_a_theme_page_for_a_member_with_an_avoid_list_takes_fixed_queries(
    reader_client, dogs, avoided, django_assert_num_queries
):
    avoid(reader_client, *list(dogs.values())[:avoided])
    # Session with its member, avoid list, the theme, hidden count, its titles.
    with django_assert_num_queries(5):
        html = reader_client.get("/themes/dogs/").content.decode()
    assert "Bolt" in html


def test_showing_the_avoided_titles_lasts_through_pages_sorts_and_filters(
    reader_client, dogs, settings
):
    settings.FRESHNESS_SECONDS = 60  # each address's shared part is built once
    avoid(reader_client, dogs["the-death-of-an-animal"])
    for number in range(30):
        make_title(f"Extra {number:02}", slug=f"extra-{number:02}")
    html = reader_client.get("/titles/?sort=name&show_avoided=1").content.decode()
    assert '<a rel="next" href="/titles/?sort=name&amp;show_avoided=1&amp;page=2">' in html
    # The form that changes the sort or the filters keeps asking for them too.
    assert '<input type="hidden" name="show_avoided" value="1">' in html
    page_two = reader_client.get("/titles/?sort=name&show_avoided=1&page=2")
    assert "Hachi" in card_names(page_two) and "Marley" in card_names(page_two)
    assert "hidden by your avoid list" not in page_two.content.decode()
    two = reader_client.get("/titles/?sort=name&theme=dogs&show_avoided=1").content.decode()
    # Removing a filter keeps them shown; so does clearing all.
    assert '<a href="/titles/?sort=name&amp;show_avoided=1">Theme: Dogs' in two
    assert 'class="chip-clear" href="/titles/?sort=name&amp;show_avoided=1"' in two
    # Without asking, they stay hidden on every page.
    hidden = reader_client.get("/titles/?sort=name").content.decode()
    assert '<a rel="next" href="/titles/?sort=name&amp;page=2">' in hidden
    assert 'name="show_avoided"' not in hidden
    assert "Hachi" not in card_names(reader_client.get("/titles/?sort=name&page=2"))


def test_home_and_similar_titles_leave_them_out_too(reader_client, dogs):
    avoid(reader_client, dogs["the-death-of-an-animal"])
    home = reader_client.get("/").content.decode()
    assert "2 titles hidden by your avoid list." in home
    assert "Hachi" not in home and "Marley" not in home
    # Bolt shares the Dogs theme with Hachi and Marley: neither is suggested beside it.
    bolt = reader_client.get("/titles/bolt/").content.decode()
    similar = bolt.split('class="title-similar')[1] if 'class="title-similar' in bolt else ""
    assert "Hachi" not in similar and "Marley" not in similar
    visitor_bolt = Client().get("/titles/bolt/").content.decode()
    assert "Hachi" in visitor_bolt.split('class="title-similar')[1]
