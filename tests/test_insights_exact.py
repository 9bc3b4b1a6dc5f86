"""
The insight totals stay exact whatever writes the extras: the form, a shell's save()
or delete(), a bulk insert, a member deleted, a title deleted; `recount_tears` finds
and repairs drift. Members writing at once (real threads) end with exact totals too.
"""

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections, transaction

from catalogue.models import Title
from reviews.insights import rate_telling_more
from reviews.models import (
    Rating,
    RatingCause,
    TitleCauseStats,
    TitleInsights,
    TitleMomentStats,
)
from reviews.models.insights import lock_title_stats
from reviews.stats import recount_all, remove_member

from .factories import make_members, make_title
from .test_insights_ratings import seed_causes


def totals(title):
    row = TitleInsights.objects.get(pk=title.pk)
    return {
        "quality": (row.quality_count, row.quality_sum, row.quality_distribution),
        "ending": (row.ending_count, row.ending_distribution, row.leading_ending),
        "moments": row.moment_count,
        "causes": {
            row.cause.slug: (row.rater_count, row.distribution)
            for row in TitleCauseStats.objects.filter(title=title, rater_count__gt=0)
            .select_related("cause")
            .order_by("cause__slug")
        },
        "positions": dict(
            TitleMomentStats.objects.filter(title=title, rater_count__gt=0).values_list(
                "position", "rater_count"
            )
        ),
    }


NOTHING = {
    "quality": (0, 0, [0, 0, 0, 0, 0]),
    "ending": (0, [0, 0, 0, 0], None),
    "moments": 0,
    "causes": {},
    "positions": {},
}


@pytest.mark.django_db
class TestEveryWritePath:
    def test_a_title_has_its_insights_row_from_the_start(self):
        title = make_title("New")
        assert totals(title) == NOTHING

    def test_extras_saved_and_deleted_from_a_shell_keep_the_totals_exact(self):
        title = make_title("Shell")
        causes = seed_causes()
        member = make_members(1)[0]
        rating = Rating.objects.create(user=member, title=title, tears=5, quality=4, moment=3)
        RatingCause.objects.create(rating=rating, cause=causes["war"])
        rating.ending = "devastating"
        rating.tears = 2
        rating.save()
        assert totals(title) == {
            "quality": (1, 4, [0, 0, 0, 1, 0]),
            "ending": (1, [1, 0, 0, 0], "devastating"),
            "moments": 1,
            "causes": {"war": (1, [0, 1, 0, 0, 0])},
            "positions": {3: 1},
        }
        assert recount_all() == []
        rating.delete()
        assert totals(title) == NOTHING
        assert recount_all() == []

    def test_a_change_of_the_tears_alone_moves_only_its_causes_counts(self):
        title = make_title("Tears alone")
        causes = seed_causes()
        member, other = make_members(2)
        told = {"moment": 2, "quality": 4, "ending": "bittersweet"}
        rate_telling_more(member, title, 5, [causes["war"].pk, causes["regret"].pk], **told)
        rate_telling_more(other, title, 3, [causes["war"].pk], quality=2)
        Rating.objects.rate(member, title, 1)  # the tears alone, as the page's form sends them
        assert totals(title) == {
            "quality": (2, 6, [0, 1, 0, 1, 0]),
            "ending": (1, [0, 1, 0, 0], "bittersweet"),
            "moments": 1,
            "causes": {"regret": (1, [1, 0, 0, 0, 0]), "war": (2, [1, 0, 1, 0, 0])},
            "positions": {2: 1},
        }
        # From a shell, to no tears at all with the causes kept (the form would drop
        # them): the raters who named a cause stay, their tears go from its levels.
        rating = Rating.objects.get(user=other)
        rating.tears = 0
        rating.save()
        assert totals(title)["causes"] == {
            "regret": (1, [1, 0, 0, 0, 0]),
            "war": (2, [1, 0, 0, 0, 0]),
        }
        assert recount_all() == []

    def test_a_bulk_insert_of_causes_keeps_the_totals_exact(self):
        title = make_title("Bulk")
        causes = seed_causes()
        ratings = [
            Rating.objects.create(user=member, title=title, tears=tears)
            for member, tears in zip(make_members(3), [1, 4, 4], strict=True)
        ]
        RatingCause.objects.bulk_create(
            [RatingCause(rating=rating, cause=causes["regret"]) for rating in ratings]
        )
        assert totals(title)["causes"] == {"regret": (3, [1, 0, 0, 2, 0])}
        assert recount_all() == []

    def test_a_member_deleted_takes_their_extras_out_of_every_total(self):
        title = make_title("Leaving")
        causes = seed_causes()
        leaving, staying = make_members(2)
        rate_telling_more(
            leaving, title, 5, [causes["war"].pk], moment=1, quality=5, ending="happy"
        )
        rate_telling_more(staying, title, 3, [causes["war"].pk], quality=3)
        remove_member(leaving)
        assert totals(title) == {
            "quality": (1, 3, [0, 0, 1, 0, 0]),
            "ending": (0, [0, 0, 0, 0], None),
            "moments": 0,
            "causes": {"war": (1, [0, 0, 1, 0, 0])},
            "positions": {},
        }
        assert recount_all() == []

    def test_a_title_deleted_takes_its_insights_with_it(self):
        title = make_title("Gone")
        causes = seed_causes()
        rate_telling_more(make_members(1)[0], title, 4, [causes["war"].pk], moment=2)
        Title.objects.filter(pk=title.pk).delete()
        assert not TitleInsights.objects.filter(pk=title.pk).exists()
        assert not TitleCauseStats.objects.filter(title_id=title.pk).exists()
        assert recount_all() == []

    def test_recount_tears_reports_and_repairs_drift_in_the_insights(self):
        title = make_title("Drifted")
        causes = seed_causes()
        rate_telling_more(make_members(1)[0], title, 4, [causes["war"].pk], moment=2, quality=5)
        exact = totals(title)
        TitleInsights.objects.filter(pk=title.pk).update(quality_count=7, leading_ending="happy")
        TitleCauseStats.objects.filter(title=title).update(rater_count=9)
        TitleMomentStats.objects.filter(title=title).delete()
        output = io.StringIO()
        call_command("recount_tears", stdout=output)
        report = output.getvalue()
        assert "quality_count 7 → 1" in report
        assert "leading_ending happy → None" in report
        assert "cause" in report and "rater_count 9 → 1" in report
        assert "moment 2: row was missing" in report
        assert totals(title) == exact
        assert recount_all() == []


def run_at_once(jobs):
    """Every job on its own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        try:
            barrier.wait(timeout=60)
            job()
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_32_members_rating_with_extras_at_once_leave_exact_totals():
    title = make_title("Crowded", kind="series", episodes=12)
    causes = seed_causes()
    war, regret, farewells = causes["war"].pk, causes["regret"].pk, causes["farewells"].pk
    members = make_members(32)
    endings = ["devastating", "bittersweet", "hopeful", "happy"]
    # Half of them rated before, with other extras: they change them, or remove them.
    for member in members[:16]:
        rate_telling_more(member, title, 2, [regret], moment=1, quality=1, ending="happy")

    def job(index, member):
        def run():
            if index % 4 == 3 and index < 16:
                Rating.objects.unrate(member, title)
                return
            rate_telling_more(
                member,
                title,
                1 + index % 5,
                [war, farewells] if index % 2 else [war],
                moment=1 + index % 12,
                quality=1 + index % 5,
                ending=endings[index % 4],
            )

        return run

    jobs = [job(index, member) for index, member in enumerate(members)]
    # Double submits: four members send the same form twice at once.
    jobs += [job(index, members[index]) for index in (0, 1, 20, 21)]
    run_at_once(jobs)
    assert recount_all() == []
    kept = [index for index in range(32) if not (index % 4 == 3 and index < 16)]
    result = totals(title)
    assert result["quality"][0] == len(kept)
    assert result["causes"]["war"][0] == len(kept)
    assert result["causes"]["farewells"][0] == len([i for i in kept if i % 2])
    assert "regret" not in result["causes"]
    assert result["moments"] == len(kept)
    assert RatingCause.objects.count() == len(kept) + len([i for i in kept if i % 2])


def write_while_its_stats_row_is_held(title, write, rows_wanted_next):
    """
    Hold `title`'s stats row open (as a member's write about the title does while it
    goes on to the title's other rows), run `write` on a thread and connection of its
    own, and wait until it waits for a lock (or ends; 10 s at most). Then take
    `rows_wanted_next` (a SELECT … FOR UPDATE NOWAIT of the title's rows, the title's id
    its parameter): a row `write` took on its way refuses (None). Returns whether
    `write` waited, the rows taken, and what `write` raised.
    """
    pid, finished, errors = [], threading.Event(), []

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid.append(cursor.fetchone()[0])
            write()
        except Exception as error:  # returned and asserted on by the caller
            errors.append(error)
        finally:
            finished.set()
            connections.close_all()

    writer, waited = threading.Thread(target=run), False
    with transaction.atomic():
        lock_title_stats(title.pk)
        writer.start()
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:
            while not (waited or finished.is_set()) and time.monotonic() < deadline:
                if pid:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", pid
                    )
                    waited = bool(cursor.fetchone()[0])
                time.sleep(0.02)
            try:
                with transaction.atomic():  # a savepoint: a refusal leaves the hold as it was
                    cursor.execute(rows_wanted_next, [title.pk])
                    rows = cursor.fetchall()
            except OperationalError:
                rows = None  # a row `write` took on its way
    writer.join(timeout=30)
    return waited, rows, errors


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one writer in at a time, by design"
)
@pytest.mark.django_db(transaction=True)
def test_a_change_of_the_extras_alone_queues_first_on_the_titles_stats_row():
    """
    Every write about a title takes its stats row before its insights and cause rows,
    so members writing about one title queue there. A change of the extras with the
    same tears moves no tear count, so the rating's update leaves the stats row alone:
    the change takes it itself. (It once went straight to the insights and cause rows,
    and members rating one title at once now and then deadlocked on them.)
    """
    title = make_title("Queued", kind="series", episodes=12)
    causes = seed_causes()
    (member,) = make_members(1)
    rate_telling_more(member, title, 2, [causes["regret"].pk], quality=1)
    waited, rows, errors = write_while_its_stats_row_is_held(
        title,
        lambda: rate_telling_more(member, title, 2, [causes["war"].pk], quality=5, ending="happy"),
        # While it waits it holds none of the title's insight rows.
        "SELECT title_id FROM reviews_titleinsights WHERE title_id = %s FOR UPDATE NOWAIT",
    )
    assert waited, "the change went ahead of the write holding the title's stats row"
    assert rows == [(title.pk,)]
    assert errors == []
    result = totals(title)
    assert result["quality"] == (1, 5, [0, 0, 0, 0, 1])
    assert result["ending"][2] == "happy"
    assert result["causes"] == {"war": (1, [0, 1, 0, 0, 0])}
    assert recount_all() == []


@pytest.mark.django_db(transaction=True)
def test_one_member_changing_removing_and_drying_a_rating_at_once_deadlocks_nothing():
    """
    Every way of writing one member's rating takes the rating row, then the title's
    stats row: sent together (tabs open on the same title), none fails on a deadlock,
    and the totals are those of whichever rating stands last.
    """
    title = make_title("Contested", kind="series", episodes=12)
    causes = seed_causes()
    war, regret = causes["war"].pk, causes["regret"].pk
    (member,) = make_members(1)
    rate_telling_more(member, title, 3, [regret], moment=2, quality=3, ending="hopeful")
    jobs = [
        lambda: rate_telling_more(member, title, 4, [war], moment=5, quality=4, ending="happy"),
        lambda: rate_telling_more(member, title, 2, [regret, war], quality=2),
        lambda: Rating.objects.rate(member, title, 0),
        lambda: Rating.objects.rate(member, title, 5),
        lambda: Rating.objects.unrate(member, title),
    ] * 3
    run_at_once(jobs)
    assert recount_all() == []
    rating = Rating.objects.filter(user=member, title=title).first()
    if rating is not None:
        named = set(RatingCause.objects.filter(rating=rating).values_list("cause_id", flat=True))
        # What one of the writes told, or kept of an earlier one (nothing, for tears
        # alone after the removal): never a mix.
        assert named in ({regret}, {war}, {regret, war}, set())
        assert rating.quality in (None, 2, 3, 4)
        if rating.tears == 0:
            assert rating.moment is None
            assert named == set()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one writer in at a time, by design"
)
@pytest.mark.django_db(transaction=True)
def test_a_title_deleted_queues_first_on_its_stats_row():
    """
    A curator deleting a title takes its stats row before the rows its ratings' causes
    count on (Django deletes the causes first): a member writing about the title at
    that moment holds the stats row and wants those rows next, so the other order
    would deadlock the two.
    """
    title = make_title("Doomed")
    causes = seed_causes()
    (member,) = make_members(1)
    rate_telling_more(member, title, 4, [causes["war"].pk], quality=3)
    waited, rows, errors = write_while_its_stats_row_is_held(
        title,
        lambda: Title.objects.filter(pk=title.pk).delete(),  # as the admin's delete does
        # While it waits it holds none of the rows the member's write wants next.
        "SELECT cause_id FROM reviews_titlecausestats WHERE title_id = %s FOR UPDATE NOWAIT",
    )
    assert waited, "the deletion went ahead of the write holding the title's stats row"
    assert rows == [(causes["war"].pk,)]
    assert errors == []
    assert not Title.objects.filter(pk=title.pk).exists()
    assert not TitleCauseStats.objects.filter(title_id=title.pk).exists()
    assert recount_all() == []
