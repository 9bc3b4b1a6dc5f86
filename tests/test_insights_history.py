"""
A member's extras are theirs to see: in their own cry history and in their JSON and CSV
downloads, and nowhere on their profile as anyone else sees it.
"""

import csv
import io
import json

import pytest

from reviews.insights import rate_telling_more

from .test_insights_ratings import seed_causes

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(reader, grave):
    causes = seed_causes()
    rate_telling_more(
        reader,
        grave,
        5,
        [causes["the-death-of-an-animal"].pk, causes["war"].pk],
        moment=10,
        quality=4,
        ending="bittersweet",
    )


def test_the_member_sees_their_extras_in_their_own_history(reader_client, told):
    html = reader_client.get("/members/reader/").content.decode()
    assert "<li>What made you cry: The death of an animal; War</li>" in html
    assert "<li>Where it hit: tenth 10 of 10</li>" in html
    assert "<li>How good: 4 — Very good</li>" in html
    assert "<li>Ending: Bittersweet</li>" in html


def test_anyone_else_sees_the_tears_and_none_of_the_extras(client, other_client, told):
    for browser in (client, other_client):
        html = browser.get("/members/reader/").content.decode()
        assert "5 — Cried a river" in html
        for extra in ("The death of an animal", "War", "Where it hit", "Bittersweet", "How good"):
            assert extra not in html


def test_the_json_download_holds_the_extras(reader_client, told):
    data = json.loads(reader_client.get("/account/export.json").content)
    (rating,) = data["ratings"]
    assert {
        key: rating[key] for key in ("causes", "moment", "where_it_hit", "quality", "ending")
    } == {
        "causes": ["The death of an animal", "War"],
        "moment": 10,
        "where_it_hit": "in the last tenth",
        "quality": 4,
        "ending": "bittersweet",
    }


def test_the_csv_download_holds_the_extras(reader_client, told):
    content = reader_client.get("/account/export.csv").content.decode("utf-8-sig")
    (row,) = [row for row in csv.DictReader(io.StringIO(content)) if row["record"] == "rating"]
    assert (row["causes"], row["where_it_hit"], row["quality_level"], row["ending"]) == (
        "The death of an animal; War",
        "in the last tenth",
        "Very good",
        "bittersweet",
    )


@pytest.mark.parametrize("rated", [1, 20])
def test_the_owners_history_with_extras_takes_fixed_queries(
    reader_client, reader, rated, django_assert_num_queries
):
    from .factories import make_title

    war = seed_causes()["war"]
    for number in range(rated):
        rate_telling_more(reader, make_title(slug=f"h{number}"), 3, [war.pk], quality=3)
    # Session with its member, the member shown, ratings count and page, the causes
    # they named, the comments count (none, so no page of them), and the owner's own
    # sections: community row, watchlist count, suggestions, new replies (count, then
    # the replies), tokens, the queue to rate.
    with django_assert_num_queries(13):
        html = reader_client.get("/members/reader/").content.decode()
    assert html.count("<li>What made you cry: War</li>") == rated
