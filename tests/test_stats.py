"""Per-title and site-wide totals always equal what the ratings and comments say."""

import pytest
from django.core.management import call_command

from reviews.models import Comment, Rating, TearPrior, TitleStats, whole_percentages
from reviews.stats import expected_totals, recount_all, remove_member

from .factories import make_title

pytestmark = pytest.mark.django_db


def totals(title):
    row = TitleStats.objects.filter(pk=title.pk).first()
    return row and {
        "count": row.rating_count,
        "sum": row.rating_sum,
        "levels": row.distribution,
        "comments": row.comment_count,
        "stances": row.stance_count,
        "disagree": row.disagree_count,
    }


def assert_exact():
    assert recount_all() == [], "stored totals drifted from the rows"


@pytest.fixture
def title():
    return make_title("Grave of the Fireflies")


def test_a_first_rating_counts_once(title, reader):
    Rating.objects.rate(reader, title, 4)
    assert totals(title) == {
        "count": 1,
        "sum": 4,
        "levels": [0, 0, 0, 0, 1, 0],
        "comments": 0,
        "stances": 0,
        "disagree": 0,
    }
    assert TearPrior.site_totals() == (1, 4)
    assert_exact()


def test_changing_from_2_to_5_moves_one_rating(title, reader):
    Rating.objects.rate(reader, title, 2)
    Rating.objects.rate(reader, title, 5)
    assert totals(title)["levels"] == [0, 0, 0, 0, 0, 1]
    assert totals(title)["sum"] == 5
    assert Rating.objects.get().tears == 5
    assert_exact()


def test_rating_the_same_twice_changes_nothing(title, reader):
    Rating.objects.rate(reader, title, 3)
    Rating.objects.rate(reader, title, 3)
    assert Rating.objects.count() == 1
    assert totals(title)["count"] == 1
    assert_exact()


def test_removing_a_rating_takes_it_out(title, reader, other_reader):
    Rating.objects.rate(reader, title, 1)
    Rating.objects.rate(other_reader, title, 5)
    assert Rating.objects.unrate(reader, title) is True
    assert Rating.objects.unrate(reader, title) is False
    assert totals(title) == {
        "count": 1,
        "sum": 5,
        "levels": [0, 0, 0, 0, 0, 1],
        "comments": 0,
        "stances": 0,
        "disagree": 0,
    }
    assert_exact()


@pytest.mark.parametrize("bad", [-1, 6, 2.5, "abc", None])
def test_an_impossible_rating_is_refused_and_changes_nothing(title, reader, bad):
    with pytest.raises((ValueError, TypeError)):
        Rating.objects.rate(reader, title, bad)
    assert not Rating.objects.exists()
    assert totals(title)["count"] == 0


def test_comments_count_by_stance_and_visibility(title, reader, other_reader):
    agree = Comment.objects.post(reader, title, "Right at the top.", stance="agree")
    disagree = Comment.objects.post(other_reader, title, "Too high.", stance="disagree")
    Comment.objects.post(other_reader, title, "Just watched it.")
    assert totals(title)["comments"] == 3
    assert (totals(title)["stances"], totals(title)["disagree"]) == (2, 1)

    disagree.hide()
    assert (totals(title)["comments"], totals(title)["disagree"]) == (2, 0)
    assert disagree.hide() is False  # hiding twice counts once
    assert totals(title)["comments"] == 2
    disagree.restore()
    assert (totals(title)["comments"], totals(title)["disagree"]) == (3, 1)

    agree.edit("Changed my mind.", is_spoiler=False, stance="disagree")
    assert (totals(title)["stances"], totals(title)["disagree"]) == (2, 2)
    assert Comment.objects.get(pk=agree.pk).edited_at is not None
    agree.remove()
    assert (totals(title)["comments"], totals(title)["disagree"]) == (2, 1)
    assert_exact()


def test_a_hidden_comment_removed_by_its_author_is_not_uncounted_twice(title, reader):
    comment = Comment.objects.post(reader, title, "Spoilers!", stance="disagree")
    comment.hide()
    comment.remove()
    assert totals(title)["comments"] == 0
    assert_exact()


def test_deleting_an_account_takes_its_ratings_and_comments_out(title, reader, other_reader):
    second = make_title("Your Lie in April")
    Rating.objects.rate(reader, title, 5)
    Rating.objects.rate(reader, second, 2)
    Rating.objects.rate(other_reader, title, 3)
    Comment.objects.post(reader, title, "Wrecked me.", stance="agree")
    hidden = Comment.objects.post(reader, second, "Rude.", stance="disagree")
    hidden.hide()
    remove_member(reader)
    assert totals(title)["count"] == 1 and totals(title)["comments"] == 0
    assert totals(second)["count"] == 0
    assert TearPrior.site_totals() == (1, 3)
    assert not Comment.objects.exists()
    assert_exact()


def test_recount_repairs_and_reports_drift(title, reader, capsys):
    Rating.objects.rate(reader, title, 4)
    TitleStats.objects.filter(pk=title.pk).update(rating_count=7, tears_4=0)
    call_command("recount_tears")
    output = capsys.readouterr().out
    assert "Grave of the Fireflies: rating_count 7 → 1, tears_4 0 → 1" in output
    assert totals(title)["count"] == 1
    call_command("recount_tears")
    assert "nothing to repair" in capsys.readouterr().out


def test_recount_creates_missing_rows(title, reader):
    Rating.objects.rate(reader, title, 4)
    TitleStats.objects.all().delete()
    drift = recount_all()
    assert drift == [
        "Grave of the Fireflies: stats row was missing; "
        "rating_count 0 → 1, rating_sum 0 → 4, tears_4 0 → 1"
    ]
    assert totals(title)["count"] == 1
    assert expected_totals()[title.pk]["rating_sum"] == 4


@pytest.mark.parametrize(
    ("counts", "shares"),
    [
        ([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]),
        ([1, 1, 1, 0, 0, 0], [34, 33, 33, 0, 0, 0]),
        ([1, 1, 1, 1, 1, 1], [17, 17, 17, 17, 16, 16]),
        ([2, 0, 0, 0, 0, 1], [67, 0, 0, 0, 0, 33]),
        ([7, 0, 0, 0, 0, 0], [100, 0, 0, 0, 0, 0]),
    ],
)
def test_percentages_add_up_to_exactly_100(counts, shares):
    assert whole_percentages(counts) == shares
    assert sum(shares) in (0, 100)
