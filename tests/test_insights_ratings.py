"""
A member tells more with a rating: what made them cry, where it hit, how good it was,
how it ends. Tears alone stay a complete rating; every extra can be changed, goes with
the rating, and a bad one is refused next to its field with nothing saved.
"""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.insight_forms import TellMoreForm
from reviews.insights import rate_telling_more
from reviews.models import (
    Cause,
    Rating,
    RatingCause,
    TitleCauseStats,
    TitleInsights,
    TitleMomentStats,
)
from reviews.stats import recount_all

from .factories import make_members, make_title

pytestmark = pytest.mark.django_db

TITLE_URL = "/titles/grave-of-the-fireflies/"
RATE_URL = TITLE_URL + "rate/"
SERIES_URL = "/titles/clannad-after-story/"


def seed_causes():
    """The vocabulary the migration seeds (a transactional test elsewhere may have flushed it)."""
    importlib.import_module("reviews.migrations.0009_seed_causes").seed(django_apps, None)
    return {cause.slug: cause for cause in Cause.objects.all()}


@pytest.fixture
def causes(db):
    return seed_causes()


@pytest.fixture
def series(db):
    return make_title("Clannad After Story", slug="clannad-after-story", kind="series", episodes=24)


def insights(title):
    return TitleInsights.objects.get(pk=title.pk)


def cause_counts(title):
    return {
        row.cause.slug: (row.rater_count, row.distribution)
        for row in TitleCauseStats.objects.filter(title=title, rater_count__gt=0).select_related(
            "cause"
        )
    }


def tell_more(**fields):
    return {"tell_more": "1", **fields}


def test_tears_alone_are_still_a_complete_rating(reader_client, reader, grave, causes):
    response = reader_client.post(RATE_URL, tell_more(tears="3"))
    assert response.status_code == 302
    rating = Rating.objects.get(user=reader, title=grave)
    assert (rating.tears, rating.moment, rating.quality, rating.ending) == (3, None, None, None)
    assert not rating.cause_links.exists()
    assert insights(grave).quality_count == 0


def test_a_member_rates_with_every_extra_and_sees_them_counted(
    reader_client, reader, grave, causes
):
    animal, farewells = causes["the-death-of-an-animal"], causes["farewells"]
    reader_client.post(
        RATE_URL,
        tell_more(
            tears="4",
            causes=[str(animal.pk), str(farewells.pk)],
            moment="10",
            quality="5",
            ending="bittersweet",
        ),
    )
    rating = Rating.objects.get(user=reader, title=grave)
    assert (rating.tears, rating.moment, rating.quality, rating.ending) == (
        4,
        10,
        5,
        "bittersweet",
    )
    assert set(rating.causes.values_list("slug", flat=True)) == {
        "the-death-of-an-animal",
        "farewells",
    }
    totals = insights(grave)
    assert (totals.quality_count, totals.quality_sum, totals.quality_mean) == (1, 5, 5.0)
    assert (totals.ending_count, totals.ending_bittersweet, totals.leading_ending) == (
        1,
        1,
        "bittersweet",
    )
    assert totals.moment_count == 1
    assert cause_counts(grave) == {
        "the-death-of-an-animal": (1, [0, 0, 0, 1, 0]),
        "farewells": (1, [0, 0, 0, 1, 0]),
    }
    assert TitleMomentStats.objects.get(title=grave, position=10).rater_count == 1

    html = reader_client.get(TITLE_URL).content.decode()
    # Farewells is no spoiler: shown openly; the death of an animal only in the disclosure.
    before, disclosure = html.split('<details class="may-spoil">')
    assert "<strong>Farewells</strong>: named by 100% of raters (1); most of them: Sobbing" in (
        before
    )
    assert "The death of an animal" not in before.split('<details class="tell-more"')[0]
    assert "<strong>The death of an animal</strong>: named by 100% of raters (1)" in disclosure
    assert "the most marked is in the last tenth (1)" in disclosure
    assert "most chose bittersweet" in disclosure
    assert "Quality from 1 vote, mean 5.0 of 5" in before


def test_the_form_shows_what_the_member_told_and_changes_replace_it(
    reader_client, reader, grave, causes
):
    animal, war, regret = causes["the-death-of-an-animal"], causes["war"], causes["regret"]
    rate_telling_more(reader, grave, 4, [animal.pk, war.pk], moment=3, quality=2, ending="happy")
    html = reader_client.get(TITLE_URL).content.decode()
    form = html.split('<details class="tell-more"')[1].split("</details>")[0]
    assert f'value="{animal.pk}" id="id_causes_' in form
    assert 'name="quality" value="2" id="id_quality_2" checked' in form
    assert 'name="ending" value="happy" id="id_ending_4" checked' in form
    assert '<option value="3" selected>in the third tenth</option>' in form

    reader_client.post(
        RATE_URL,
        tell_more(tears="5", causes=[str(war.pk), str(regret.pk)], quality="", ending="hopeful"),
    )
    rating = Rating.objects.get(user=reader, title=grave)
    assert (rating.tears, rating.moment, rating.quality, rating.ending) == (
        5,
        None,
        None,
        "hopeful",
    )
    assert cause_counts(grave) == {"war": (1, [0, 0, 0, 0, 1]), "regret": (1, [0, 0, 0, 0, 1])}
    totals = insights(grave)
    assert (totals.quality_count, totals.moment_count, totals.leading_ending) == (0, 0, "hopeful")
    assert recount_all() == []


def test_removing_the_rating_removes_its_extras(reader_client, reader, grave, causes):
    rate_telling_more(reader, grave, 4, [causes["war"].pk], moment=2, quality=3, ending="happy")
    reader_client.post(RATE_URL, {"remove": "1"})
    assert not Rating.objects.filter(user=reader).exists()
    assert not RatingCause.objects.exists()
    totals = insights(grave)
    assert (totals.quality_count, totals.ending_count, totals.moment_count) == (0, 0, 0)
    assert totals.leading_ending is None
    assert cause_counts(grave) == {}
    assert TitleMomentStats.objects.get(title=grave, position=2).rater_count == 0
    assert recount_all() == []


def test_going_down_to_dry_eyes_drops_the_causes_and_the_moment(reader, grave, causes):
    rate_telling_more(reader, grave, 3, [causes["war"].pk], moment=4, quality=4)
    Rating.objects.rate(reader, grave, 0)
    rating = Rating.objects.get(user=reader)
    assert (rating.tears, rating.moment, rating.quality) == (0, None, 4)
    assert cause_counts(grave) == {}
    assert insights(grave).moment_count == 0
    assert recount_all() == []


def test_a_series_moment_is_an_episode(reader_client, reader, series, causes):
    reader_client.post(SERIES_URL + "rate/", tell_more(tears="5", moment="18"))
    assert Rating.objects.get(user=reader).moment == 18
    html = reader_client.get(SERIES_URL).content.decode()
    assert "the most marked is episode 18 (1)" in html
    assert '<option value="24">episode 24</option>' in html


def bad_inputs(causes):
    ids = [str(cause.pk) for cause in causes.values()]
    return [
        ({"tears": "3", "causes": ["999999"]}, "causes", "999999 is not one of the causes offered"),
        ({"tears": "3", "causes": ["war"]}, "causes", "war is not one of the causes offered"),
        (
            {"tears": "3", "causes": [ids[0], "9" * 20]},
            "causes",
            f"{'9' * 20} is not one of the causes offered",
        ),
        ({"tears": "3", "causes": ids[:6]}, "causes", "Name at most 5 causes; you chose 6."),
        (
            {"tears": "3", "moment": "25"},
            "moment",
            "Choose an episode from 1 to 24; 25 is not one.",
        ),
        ({"tears": "3", "moment": "0"}, "moment", "Choose an episode from 1 to 24; 0 is not one."),
        ({"tears": "0", "causes": ids[:1]}, "causes", "A rating of 0 tears (Dry eyes) has nothing"),
        ({"tears": "0", "moment": "2"}, "moment", "A rating of 0 tears (Dry eyes) has nothing"),
        ({"tears": "3", "quality": "6"}, "quality", "from 1 (Weak) to 5 (A masterpiece); 6 is"),
        ({"tears": "3", "ending": "twist"}, "ending", "“twist” is not one of the endings"),
        ({"causes": ids[:1], "quality": "4"}, "tears", "Pick a tear level from 0 to 5"),
    ]


@pytest.mark.parametrize("case", range(11))
def test_bad_extras_are_refused_next_to_their_field_and_nothing_changes(
    reader_client, reader, series, causes, unchanged, case
):
    rate_telling_more(reader, series, 2, [causes["war"].pk], moment=5, quality=3)
    fields, field, message = bad_inputs(causes)[case]
    with unchanged():
        response = reader_client.post(SERIES_URL + "rate/", tell_more(**fields))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your rating is not saved yet" in html
    group = html.split(f'for="id_{field}')[1] if field != "causes" else html.split("causes")[1]
    assert message in html
    assert message in html.split('class="errorlist')[1]
    assert group


def test_a_refused_rating_reads_its_title_once_and_names_it(
    reader_client, reader, series, causes, unchanged
):
    fields = tell_more(tears="3", moment="25", quality="4")
    with unchanged():
        response, statements = statements_sent(reader_client, SERIES_URL + "rate/", fields)
    html = response.content.decode()
    assert "<title>Your rating of Clannad After Story" in html
    assert 'href="/titles/clannad-after-story/#your-rating">Back to Clannad After Story' in html
    assert "Choose an episode from 1 to 24; 25 is not one." in html
    # The title is read once, with what the rating's way needs: nothing it did not read
    # is loaded afterwards to draw the form again.
    reads = [sql for sql in statements if "catalogue_title" in sql]
    assert len(reads) == 1, "\n".join(reads)
    assert "synopsis" not in reads[0]


def test_each_rating_form_changes_only_its_own_copy_of_the_fields(series, grave):
    movie_form = TellMoreForm(title=grave)
    series_form = TellMoreForm({"tears": "3", "moment": "30"}, title=series)
    assert not series_form.is_valid()
    assert series_form.errors["moment"] == ["Choose an episode from 1 to 24; 30 is not one."]
    assert movie_form.fields["moment"].label == "Where in the film did it hit hardest?"
    assert series_form.fields["moment"].label == "Which episode hit hardest?"
    assert len(movie_form.fields["moment"].choices) == 11  # no answer, and ten tenths
    assert len(series_form.fields["moment"].choices) == 25
    assert movie_form.fields["moment"].widget.choices == movie_form.fields["moment"].choices
    # Neither form changed the fields every later form starts from, nor the other's.
    assert TellMoreForm.base_fields["moment"].label == "Where did it hit hardest?"
    assert "Choose" not in TellMoreForm.base_fields["moment"].error_messages["invalid_choice"]
    assert TellMoreForm.base_fields["moment"].choices == []
    series_form.fields["quality"].widget.attrs["class"] = "mine"
    assert "class" not in movie_form.fields["quality"].widget.attrs
    assert "class" not in TellMoreForm(title=grave).fields["quality"].widget.attrs


def test_a_retired_cause_cannot_be_named_and_past_choices_stay_out_of_view(
    reader_client, reader, other_reader, grave, causes, unchanged
):
    animal = causes["the-death-of-an-animal"]
    for member in (reader, other_reader, *make_members(1)):
        rate_telling_more(member, grave, 5, [animal.pk, causes["war"].pk])
    Cause.objects.filter(pk=animal.pk).update(is_retired=True)
    with unchanged():
        response = reader_client.post(RATE_URL, tell_more(tears="5", causes=[str(animal.pk)]))
    assert "is not one of the causes offered (it may have been retired)" in (
        response.content.decode()
    )
    html = reader_client.get(TITLE_URL).content.decode()
    assert "The death of an animal" not in html
    # A change of other extras keeps the retired choice, out of view.
    reader_client.post(RATE_URL, tell_more(tears="5", causes=[], quality="4"))
    assert set(Rating.objects.get(user=reader).causes.values_list("slug", flat=True)) == {
        "the-death-of-an-animal"
    }
    assert recount_all() == []


def statements_sent(client, url, fields):
    """POST `fields` to `url`: the response, and the SQL statements it ran (not the
    transaction's own BEGIN and savepoints)."""
    with CaptureQueriesContext(connection) as sent:
        response = client.post(url, fields)
    statements = [
        query["sql"]
        for query in sent.captured_queries
        if not query["sql"].startswith(("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    return response, statements


def test_a_rating_with_extras_is_checked_and_written_without_reading_the_list_of_causes(
    reader_client, reader, grave, causes
):
    war, grief = causes["war"].pk, causes["grief-and-mourning"].pk
    fields = tell_more(tears="4", causes=[str(war), str(grief)], quality="5", ending="hopeful")
    reader_client.get(TITLE_URL)  # signed in and the page seen, as a member who rates
    response, statements = statements_sent(reader_client, RATE_URL, fields)
    assert response.url == TITLE_URL + "#your-rating"
    rating = Rating.objects.get(user=reader, title=grave)
    assert (rating.tears, rating.quality, rating.ending) == (4, 5, "hopeful")
    assert set(rating.cause_links.values_list("cause_id", flat=True)) == {war, grief}
    # The session with its member, the title; then the new rating, and its causes
    # (taken from the causes offered, which checks them).
    assert len(statements) == 4, "\n".join(statements)
    assert not [sql for sql in statements if "contentversion" in sql or "ORDER BY" in sql]
    assert recount_all() == []


def test_a_change_of_tears_and_causes_holds_the_rating_as_it_finds_it_and_reads_it_once(
    reader_client, reader, grave, causes
):
    war, grief, regret = (causes[slug].pk for slug in ["war", "grief-and-mourning", "regret"])
    reader_client.post(RATE_URL, tell_more(tears="4", causes=[str(war), str(grief)]))
    fields = tell_more(tears="2", causes=[str(grief), str(regret)], quality="3")
    response, statements = statements_sent(reader_client, RATE_URL, fields)
    assert response.url == TITLE_URL + "#your-rating"
    rating = Rating.objects.get(user=reader, title=grave)
    assert (rating.tears, rating.quality) == (2, 3)
    assert set(rating.cause_links.values_list("cause_id", flat=True)) == {grief, regret}
    # The session, the title; the insert that finds the rating there and holds it, one
    # read of it with its causes; its update (whose triggers take the title's stats
    # first), the cause that goes and the one that comes.
    assert len(statements) == 7, "\n".join(statements)
    cause_stats = {row.cause_id: row for row in TitleCauseStats.objects.filter(title=grave)}
    assert (cause_stats[war].rater_count, cause_stats[war].tears_4) == (0, 0)
    assert (cause_stats[grief].tears_4, cause_stats[grief].tears_2) == (0, 1)
    assert (cause_stats[regret].rater_count, cause_stats[regret].tears_2) == (1, 1)
    assert recount_all() == []


def test_the_model_refuses_what_the_form_would(reader, grave, causes, unchanged):
    war = causes["war"]
    with unchanged():
        for kwargs in (
            {"tears": 0, "cause_ids": [war.pk]},
            {"tears": 3, "moment": 11},
            {"tears": 3, "ending": "twist"},
            {"tears": 3, "quality": 9},
            {"tears": 3, "cause_ids": [c.pk for c in list(causes.values())[:6]]},
        ):
            with pytest.raises(ValueError):
                rate_telling_more(reader, grave, **kwargs)


def test_the_ending_most_raters_chose_leads_ties_to_the_darker(grave, causes):
    members = make_members(4)
    for member, ending in zip(
        members, ["happy", "happy", "bittersweet", "bittersweet"], strict=True
    ):
        rate_telling_more(member, grave, 3, ending=ending)
    assert insights(grave).leading_ending == "bittersweet"
    Rating.objects.filter(user=members[2]).delete()
    assert insights(grave).leading_ending == "happy"


def test_a_cause_is_shown_with_the_share_of_all_raters_and_how_hard_they_cried(grave, causes):
    war = causes["war"]
    members = make_members(5)
    for member, tears in zip(members, [4, 4, 2, 1, 0], strict=True):
        rate_telling_more(member, grave, tears, [war.pk] if tears >= 2 else [])
    html = __import__("django.test", fromlist=["Client"]).Client().get(TITLE_URL).content.decode()
    assert "<strong>War</strong>: named by 60% of raters (3); most of them: Sobbing" in html


def test_the_title_page_keeps_its_queries_for_a_member_with_extras(
    reader_client, reader, grave, causes, django_assert_num_queries
):
    rate_telling_more(reader, grave, 4, [causes["war"].pk], moment=2, quality=3, ending="happy")
    # The page's own queries, the insights (their totals, the named causes, the marked
    # moments), and the member's part: their avoid list, the causes offered, and in one
    # query their rating with its causes, their watchlist and marks; where to watch,
    # the first replies.
    with django_assert_num_queries(14):
        reader_client.get(TITLE_URL)
    for member in make_members(6):
        rate_telling_more(member, grave, 3, [causes["regret"].pk], moment=5, quality=4)
    with django_assert_num_queries(14):
        html = reader_client.get(TITLE_URL).content.decode()
    assert "Quality from 7 votes" in html


def test_the_blank_tell_more_part_is_shared_but_a_members_own_extras_are_theirs(
    reader_client, other_client, reader, grave, causes, settings
):
    settings.FRESHNESS_SECONDS = 60
    # Another member, who has told nothing, has the blank part built and shared.
    blank = other_client.get(TITLE_URL).content.decode()
    assert "Tell more (optional)" in blank
    nothing_told = blank.split("Tell more (optional)")[1].split("</details>")[0]
    # Only "No answer" is chosen, for how good it was and how it ends.
    assert nothing_told.count(" checked>") == 2
    assert nothing_told.count(" checked> No answer</label>") == 2
    rate_telling_more(reader, grave, 4, cause_ids=[causes["war"].pk], quality=5, ending="happy")
    mine = reader_client.get(TITLE_URL).content.decode()
    told = mine.split("Tell more (optional)")[1].split("</details>")[0]
    assert f'value="{causes["war"].pk}" id="id_causes_' in told
    assert told.count(" checked>") == 3  # the cause, the quality and the ending
    assert " checked> No answer</label>" not in told
    # The other member still gets the blank part, not the reader's.
    again = other_client.get(TITLE_URL).content.decode()
    assert again.split("Tell more (optional)")[1].split("</details>")[0] == nothing_told


def tell_more_html(client):
    """The "Tell more" part of the title page as `client`'s member sees it."""
    response = client.get(TITLE_URL)
    part = response.content.decode().split("Tell more (optional)")[1].split("</details>")[0]
    built = "reviews/_tell_more.html" in [template.name for template in response.templates]
    return part, built


def chosen(part):
    """The (field, value) pairs a "Tell more" part has chosen."""
    return set(re.findall(r'name="(\w+)" value="([^"]*)" id="[^"]*" checked>', part))


@pytest.fixture
def shared_parts(settings):
    """Shared parts kept for a minute, starting from none."""
    settings.FRESHNESS_SECONDS = 60
    cache.clear()


def test_members_who_told_the_same_share_one_part_and_a_change_shows_at_once(
    reader_client, other_client, reader, other_reader, grave, causes, shared_parts
):
    war, regret = causes["war"].pk, causes["regret"].pk
    rate_telling_more(reader, grave, 4, cause_ids=[regret, war], quality=5, ending="happy")
    rate_telling_more(other_reader, grave, 2, cause_ids=[war, regret], quality=5, ending="happy")
    mine, built = tell_more_html(reader_client)
    assert built
    assert chosen(mine) == {
        ("causes", str(war)),
        ("causes", str(regret)),
        ("quality", "5"),
        ("ending", "happy"),
    }
    # The other member told the same (their causes named in another order): the part
    # built for the reader is served to them, not built again.
    theirs, built = tell_more_html(other_client)
    assert (theirs, built) == (mine, False)
    # The reader changes what they told: their page shows it at once, while the part
    # built for the answers they had is still kept for the other member.
    reader_client.post(
        RATE_URL, tell_more(tears="4", causes=[str(war)], quality="2", ending="bittersweet")
    )
    changed, built = tell_more_html(reader_client)
    assert built
    assert chosen(changed) == {("causes", str(war)), ("quality", "2"), ("ending", "bittersweet")}
    assert tell_more_html(other_client) == (mine, False)


def test_tears_alone_get_the_same_blank_part_as_no_rating(
    reader_client, other_client, reader, grave, causes, shared_parts
):
    blank, built = tell_more_html(other_client)
    assert built
    rate_telling_more(reader, grave, 3)
    assert tell_more_html(reader_client) == (blank, False)
