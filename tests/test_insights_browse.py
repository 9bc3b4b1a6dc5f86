"""
Browse by what makes people cry: avoid titles where many raters named a cause, or look
for them; filter by the ending most raters chose; filter and sort by how good members
found them. A cause counts for a title once CAUSE_MIN_RATERS raters and CAUSE_MIN_SHARE
percent of its raters named it.
"""

import pytest

from reviews.insights import rate_telling_more

from .factories import make_members, make_title
from .test_browse import card_names, notes
from .test_insights_ratings import seed_causes

pytestmark = pytest.mark.django_db


def rate_many(title, count, named=0, cause=None, ending=None, quality=None, tears=4):
    """`count` new members rate `title`; the first `named` of them name `cause`."""
    for index, member in enumerate(make_members(count)):
        rate_telling_more(
            member,
            title,
            tears,
            [cause.pk] if index < named else [],
            ending=ending,
            quality=quality,
        )


@pytest.fixture
def shelf(db):
    """
    Four titles: the death of an animal counts for Hachi (3 of 5 raters) and for
    Marley (3 of 10), not for Crowded (3 of 20: too small a share) nor for Two (2 of 2:
    too few raters).
    """
    animal = seed_causes()["the-death-of-an-animal"]
    titles = {
        name: make_title(name, slug=name.lower())
        for name in ("Hachi", "Marley", "Crowded", "Two", "Dry")
    }
    rate_many(titles["Hachi"], 5, 3, animal, ending="bittersweet", quality=4)
    rate_many(titles["Marley"], 10, 3, animal, ending="happy", quality=2)
    rate_many(titles["Crowded"], 20, 3, animal, ending="bittersweet", quality=5)
    rate_many(titles["Two"], 2, 2, animal, ending="devastating", quality=3)
    return titles


def test_seek_finds_the_titles_a_cause_counts_for(client, shelf):
    response = client.get("/titles/?seek=the-death-of-an-animal&sort=name")
    assert card_names(response) == ["Hachi", "Marley"]


def test_a_visitor_avoids_the_death_of_an_animal_and_wants_a_bittersweet_ending(client, shelf):
    response = client.get("/titles/?avoid=the-death-of-an-animal&ending=bittersweet&sort=name")
    assert card_names(response) == ["Crowded"]
    html = response.content.decode()
    assert "Avoid: The death of an animal" in html
    assert "Ending: Bittersweet" in html


def test_result_cards_never_say_which_cause_matched(client, shelf):
    html = client.get("/titles/?seek=the-death-of-an-animal").content.decode()
    results = html.split('id="filter-seek"')[1].split("</select>")[1]
    assert "death of an animal" not in results.lower()


def test_both_numbers_are_settings(client, shelf, settings):
    settings.CAUSE_MIN_RATERS = 2
    settings.CAUSE_MIN_SHARE = 10
    response = client.get("/titles/?seek=the-death-of-an-animal&sort=name")
    assert card_names(response) == ["Crowded", "Hachi", "Marley", "Two"]


def test_quality_filters_and_sorts_apart_from_tears(client, shelf):
    assert card_names(client.get("/titles/?sort=quality")) == [
        "Crowded",
        "Hachi",
        "Two",
        "Marley",
        "Dry",
    ]
    assert card_names(client.get("/titles/?quality_min=3.5&sort=name")) == ["Crowded", "Hachi"]


def test_unknown_causes_and_endings_are_left_out_with_a_note(client, shelf):
    response = client.get("/titles/?avoid=ghosts&ending=twist&sort=name")
    assert len(card_names(response)) == 5
    said = " ".join(notes(response))
    assert "There is no cause “ghosts” to avoid." in said
    assert "There is no ending “twist”." in said


@pytest.mark.parametrize("extra", [0, 10])
def test_a_filtered_row_takes_the_same_queries_whatever_the_data(
    client, shelf, extra, django_assert_num_queries
):
    animal = seed_causes()["the-death-of-an-animal"]
    for index in range(extra):
        rate_many(make_title(f"More {index}"), 3, 3, animal, ending="bittersweet")
    # 4 facets (kinds, themes, services, articles), the causes offered, 1 count, 1 page.
    with django_assert_num_queries(7):
        response = client.get(
            "/titles/?avoid=war&seek=the-death-of-an-animal&ending=bittersweet&quality_min=1"
        )
    assert len(card_names(response)) == 1
