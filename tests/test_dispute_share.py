"""
Each title's dispute share is stored (TitleStats.dispute_share) and stays equal to
what its visible comments say — disagreeing / (taking a side + 2) — whatever writes
them; the recount repairs it when it drifts.
"""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command

from reviews.models import Comment, TitleStats, reply
from reviews.stats import recount_all, remove_member

from .factories import make_members, make_title

pytestmark = pytest.mark.django_db


@pytest.fixture
def title():
    return make_title("Grave of the Fireflies")


def stored_share(title):
    return TitleStats.objects.get(pk=title.pk).dispute_share


def test_a_title_nobody_took_a_side_on_has_no_share(title, reader):
    assert stored_share(title) == 0
    Comment.objects.post(reader, title, "Just watched it.")
    assert stored_share(title) == 0


def test_posting_editing_hiding_restoring_and_deleting_keep_the_share(title, reader, other_reader):
    agree = Comment.objects.post(reader, title, "Right at the top.", stance="agree")
    assert stored_share(title) == 0 / 3
    disagree = Comment.objects.post(other_reader, title, "Too high.", stance="disagree")
    assert stored_share(title) == 1 / 4

    disagree.hide()
    assert stored_share(title) == 0 / 3
    disagree.restore()
    assert stored_share(title) == 1 / 4

    agree.edit("Changed my mind.", is_spoiler=False, stance="disagree")
    assert stored_share(title) == 2 / 4
    agree.edit("No side after all.", is_spoiler=False, stance="none")
    assert stored_share(title) == 1 / 3

    disagree.remove()
    assert stored_share(title) == 0
    assert recount_all() == []


def test_a_reply_does_not_move_the_share(title, reader, other_reader):
    started = Comment.objects.post(reader, title, "Too high.", stance="disagree")
    reply(other_reader, started, "I agree with you.")
    assert stored_share(title) == 1 / 3
    assert recount_all() == []


def test_comments_deleted_from_a_shell_take_their_share_with_them(title, reader, other_reader):
    Comment.objects.post(reader, title, "Too high.", stance="disagree")
    Comment.objects.post(other_reader, title, "About right.", stance="agree")
    Comment.objects.filter(user=reader).delete()
    assert stored_share(title) == 0 / 3
    assert recount_all() == []


@pytest.mark.parametrize("how", ["remove_member", "delete"])
def test_a_member_deleted_takes_their_disagreement_out(title, reader, other_reader, how):
    second = make_title("Your Lie in April")
    Comment.objects.post(reader, title, "Too high.", stance="disagree")
    Comment.objects.post(reader, second, "Does not belong.", stance="disagree")
    Comment.objects.post(other_reader, title, "Too low.", stance="disagree")
    remove_member(reader) if how == "remove_member" else reader.delete()
    assert (stored_share(title), stored_share(second)) == (1 / 3, 0)
    assert recount_all() == []


def test_the_share_is_the_counts_in_every_title_after_many_writes(title):
    titles = [title, make_title("Clannad"), make_title("Barefoot Gen")]
    stances = ["agree", "disagree", "none", "agree", "disagree", "disagree"]
    for number, member in enumerate(make_members(12)):
        posted = Comment.objects.post(
            member, titles[number % 3], "Thoughts.", stance=stances[number % 6]
        )
        if number % 4 == 0:
            posted.hide()
    for row in TitleStats.objects.filter(pk__in=[t.pk for t in titles]):
        assert row.dispute_share == row.disagree_count / (row.stance_count + 2)
    assert recount_all() == []


def test_the_recount_repairs_a_drifted_share_and_says_so(title, reader, capsys):
    Comment.objects.post(reader, title, "Too high.", stance="disagree")
    TitleStats.objects.filter(pk=title.pk).update(dispute_share=0.9)
    call_command("recount_tears")
    assert "Grave of the Fireflies: dispute_share 0.9000 → 0.3333" in capsys.readouterr().out
    assert stored_share(title) == 1 / 3
    call_command("recount_tears")
    assert "nothing to repair" in capsys.readouterr().out


def test_the_migration_gives_every_title_its_share_from_its_counts(title, reader, other_reader):
    migration = import_module("reviews.migrations.0011_stored_dispute_share_and_chart_indexes")
    quiet = make_title("Quiet")
    Comment.objects.post(reader, title, "Too high.", stance="disagree")
    Comment.objects.post(other_reader, title, "About right.", stance="agree")
    Comment.objects.post(reader, quiet, "About right.", stance="agree")
    TitleStats.objects.update(dispute_share=0)  # as the column starts out

    migration.backfill_dispute_shares(apps, None)

    assert (stored_share(title), stored_share(quiet)) == (1 / 4, 0)
    assert recount_all() == []
