"""
Members writing at the same moment, with real threads and real connections: on
whichever database the suite runs against (an SQLite file, or PostgreSQL).
"""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from reviews.models import Comment, MentionStats, Rating, TearPrior, TitleStats
from reviews.stats import recount_all

from .factories import make_source, make_title, mention

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(jobs):
    """Start every job on its own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one writer in at a time, by design"
)
def test_ratings_of_other_titles_commit_while_a_rating_is_held_open():
    held, first, second = make_title("Held"), make_title("First"), make_title("Second")
    people = members(3)
    holding, release = threading.Event(), threading.Event()
    committed = []

    def hold_a_rating_open():
        from django.db import transaction

        with transaction.atomic():
            Rating.objects.rate(people[0], held, 5)
            holding.set()
            release.wait(timeout=30)

    def rate_and_note(member, title):
        holding.wait(timeout=30)
        Rating.objects.rate(member, title, 4)
        committed.append(title.name)

    holder = threading.Thread(target=lambda: (hold_a_rating_open(), connections.close_all()))
    holder.start()
    others = [
        threading.Thread(target=lambda m=m, t=t: (rate_and_note(m, t), connections.close_all()))
        for m, t in ((people[1], first), (people[2], second))
    ]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join(timeout=10)
    try:
        assert sorted(committed) == ["First", "Second"], "no rating waits on another title's"
        assert not TitleStats.objects.get(pk=held.pk).rating_count, "still held open"
    finally:
        release.set()
        holder.join(timeout=30)
    assert TitleStats.objects.get(pk=held.pk).rating_count == 1
    assert recount_all() == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets one writer in at a time, by design"
)
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda m, t: Rating.objects.rate(m, t, 0), id="dry-eyes"),
        pytest.param(lambda m, t: Rating.objects.unrate(m, t), id="removal"),
    ],
)
def test_a_prior_refresh_while_a_rating_is_changed_waits_for_it(monkeypatch, write):
    """
    A change of a rating holds its row and its title's stats row before it writes them.
    A refresh of the prior that starts meanwhile waits for the whole change, then counts
    it; neither is turned away as a deadlock (the refresh once let the change read, and
    waited on the stats row the change held while the change waited on the refresh).
    """
    import reviews.models.ratings as rating_writes

    title = make_title()
    (member,) = members(1)
    Rating.objects.rate(member, title, 3)
    refreshing, refresh_pid = threading.Event(), []
    locked = rating_writes.lock_title_stats

    def lock_then_wait_for_the_refresh(title_id):
        locked(title_id)
        refreshing.set()
        waiting_since = time.monotonic()
        with connection.cursor() as cursor:
            while time.monotonic() - waiting_since < 10:
                if refresh_pid:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", refresh_pid
                    )
                    if cursor.fetchone()[0]:
                        return
                time.sleep(0.02)
        raise AssertionError("the refresh never waited for the change")

    def refresh():
        refreshing.wait(timeout=30)
        connection.ensure_connection()
        refresh_pid.append(connection.connection.info.backend_pid)
        TearPrior.refresh()

    monkeypatch.setattr(rating_writes, "lock_title_stats", lock_then_wait_for_the_refresh)
    run_at_once([lambda: write(member, title), refresh])
    stats = TitleStats.objects.get(pk=title.pk)
    after = list(Rating.objects.values_list("tears", flat=True))
    assert stats.distribution == [after.count(level) for level in range(6)]
    assert TearPrior.current().mean == (0.0 if after == [0] else TearPrior.DEFAULT_MEAN)
    assert recount_all() == []


def members(count):
    User = get_user_model()
    return [User.objects.create_user(f"member{n}", password="x") for n in range(count)]


def test_32_members_rating_one_title_at_once():
    title = make_title()
    people = members(32)
    run_at_once(
        [lambda m=m, n=n: Rating.objects.rate(m, title, n % 6) for n, m in enumerate(people)]
    )
    stats = TitleStats.objects.get(pk=title.pk)
    assert stats.rating_count == Rating.objects.count() == 32
    assert stats.rating_sum == sum(n % 6 for n in range(32))
    assert TearPrior.site_totals()[0] == 32
    assert recount_all() == []


def test_one_member_submitting_the_same_form_16_times_at_once():
    title = make_title()
    (member,) = members(1)
    run_at_once([lambda: Rating.objects.rate(member, title, 4)] * 16)
    assert list(Rating.objects.values_list("user__username", "tears")) == [("member0", 4)]
    assert TitleStats.objects.get(pk=title.pk).distribution == [0, 0, 0, 0, 1, 0]
    assert recount_all() == []


def test_16_members_changing_their_ratings_at_once():
    title = make_title()
    people = members(16)
    for member in people:
        Rating.objects.rate(member, title, 1)
    run_at_once([lambda m=m: Rating.objects.rate(m, title, 5) for m in people])
    assert TitleStats.objects.get(pk=title.pk).distribution == [0, 0, 0, 0, 0, 16]
    assert Rating.objects.filter(tears=5).count() == 16
    assert recount_all() == []


def test_comments_and_moderation_at_once_keep_counts_exact():
    title = make_title()
    people = members(8)
    existing = [Comment.objects.post(m, title, "First thoughts", stance="disagree") for m in people]
    jobs = [lambda m=m: Comment.objects.post(m, title, "More", stance="agree") for m in people]
    jobs += [comment.hide for comment in existing[:4]] * 2
    run_at_once(jobs)
    stats = TitleStats.objects.get(pk=title.pk)
    assert stats.comment_count == 12
    assert (stats.stance_count, stats.disagree_count) == (12, 4)
    assert recount_all() == []


def test_the_database_is_a_file_when_it_is_sqlite():
    if connection.vendor == "sqlite":
        assert "memory" not in connection.settings_dict["NAME"]


def browsers_for(people):
    """One signed-in test browser per member, each on its own connection when used."""
    from django.test import Client

    browsers = []
    for member in people:
        browser = Client()
        browser.force_login(member)
        browsers.append(browser)
    return browsers


def test_one_member_sending_the_rating_form_16_times_at_once_through_the_site():
    title = make_title()
    (member,) = members(1)
    browsers = browsers_for([member] * 16)
    url = f"/titles/{title.slug}/rate/"
    responses = []
    run_at_once(
        [
            lambda b=b, n=n: responses.append(b.post(url, {"tears": str(n % 6)}))
            for n, b in enumerate(browsers)
        ]
    )
    assert [r.status_code for r in responses] == [302] * 16
    (tears,) = Rating.objects.values_list("tears", flat=True)
    assert TitleStats.objects.get(pk=title.pk).distribution == [
        1 if level == tears else 0 for level in range(6)
    ]
    assert recount_all() == []


def test_32_members_rating_and_commenting_through_the_site_at_once():
    title = make_title()
    listing = mention(title, make_source(), 1)
    people = members(32)
    browsers = browsers_for(people)
    jobs = [
        lambda b=b, n=n: b.post(f"/titles/{title.slug}/rate/", {"tears": str(n % 6)})
        for n, b in enumerate(browsers)
    ]
    jobs += [
        lambda b=b, n=n: b.post(
            f"/titles/{title.slug}/comments/", {"body": f"Comment {n}", "stance": "too_high"}
        )
        for n, b in enumerate(browsers[:16])
    ]
    run_at_once(jobs)
    stats = TitleStats.objects.get(pk=title.pk)
    assert (stats.rating_count, stats.rating_sum) == (32, sum(n % 6 for n in range(32)))
    assert (stats.comment_count, stats.disagree_count) == (16, 16)
    assert MentionStats.objects.get(pk=listing.pk).too_high_count == 16
    assert recount_all() == []
