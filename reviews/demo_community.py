"""
The community's share of the demo data (seed_demo): replies under comments, "this hit
me too" marks, watchlists and title suggestions, in plausible proportions, as rows for
the bulk loader. The comments' reply and mark counts go in with the comments
(`with_counts`); the members' counts are left to `recount_all` after the load, like
the stats.
"""

from collections import Counter

from catalogue import search
from reviews.demo import WINDOW, moment, pick, second, stamp
from reviews.demo_words import STUDIOS

# Per comment: replies and marks; per member: titles on their list; members per suggestion.
REPLIES_PER_COMMENT = 0.25
MARKS_PER_COMMENT = 1.0
LISTED_PER_MEMBER = 1.0
MEMBERS_PER_SUGGESTION = 200
REPLIES = [
    "Same here. I had to pause it twice.",
    "I thought I was the only one who cried at that part.",
    "The music did it for me, not the scene itself.",
    "I watched it again last week and it still works.",
    "My sister laughed at me, then cried at the same moment.",
    "Honestly I saw it coming and it still got me.",
    "That ending stayed with me for days.",
    "I disagree a little: the first half hurt more.",
]
REPLY_COLUMNS = [
    "id",
    "user_id",
    "title_id",
    "body",
    "is_spoiler",
    "stance",
    "is_hidden",
    "created_at",
    "edited_at",
    "parent_id",
]
MARK_COLUMNS = ["user_id", "comment_id", "created_at"]
WATCHLIST_COLUMNS = ["user_id", "title_id", "created_at"]
SUGGESTION_COLUMNS = [
    "user_id",
    "name",
    "original_name",
    "kind",
    "year",
    "studio",
    "episodes",
    "runtime_minutes",
    "why_it_hurts",
    "search_key",
    "state",
    "decline_reason",
    "created_at",
]


def counts(comments, members):
    return {
        "replies": int(comments * REPLIES_PER_COMMENT),
        "marks": int(comments * MARKS_PER_COMMENT),
        "watchlist": int(members * LISTED_PER_MEMBER),
        "suggestions": members // MEMBERS_PER_SUGGESTION,
    }


def reply_rows(rng, first_id, comments, member_ids, total):
    """Replies under random visible comments (one level), each after its comment."""
    threads = [row for row in comments if not row[6]]
    if not threads or not member_ids:
        return []
    random = rng.random
    drafts = []
    for _ in range(total):
        parent = pick(random, threads)
        created = moment(rng, second(parent[7]), WINDOW[1])
        drafts.append(
            (created, pick(random, member_ids), parent[2], pick(random, REPLIES), parent[0])
        )
    drafts.sort()
    return [
        (first_id + n, user_id, title_id, body, False, "none", False, stamp(created), None, parent)
        for n, (created, user_id, title_id, body, parent) in enumerate(drafts)
    ]


def mark_rows(rng, comments, member_ids, total):
    """
    Marks on random comments, once per member and comment, never by the author. The
    (comment, member) pairs are drawn a batch at a time, as many as are still missing,
    and taken in order until enough are good: alike to drawing them one by one, and
    cheaper.
    """
    if not comments or len(member_ids) < 2:
        return []
    random = rng.random
    seen = set()
    rows = []
    tries = 0
    while len(rows) < total and tries < total * 3:
        wanted = min(total - len(rows), total * 3 - tries)
        tries += wanted
        drawn = rng.choices(comments, k=wanted), rng.choices(member_ids, k=wanted)
        for comment, member in zip(*drawn, strict=True):
            if member == comment[1] or (member, comment[0]) in seen:
                continue
            seen.add((member, comment[0]))
            rows.append((member, comment[0], second(comment[7])))
    end = WINDOW[1]
    return [
        (member, comment_id, stamp(start + int(random() * (end - start))))
        for member, comment_id, start in rows
    ]


def watchlist_rows(rng, titles, member_ids, total):
    """Titles members keep for later, the popular ones more often, once each."""
    if not titles or not member_ids:
        return []
    random = rng.random
    seen = set()
    rows = []
    popular = [title_id for title_id, _ in titles[: max(len(titles) // 5, 1)]]
    tries = 0
    while len(rows) < total and tries < total * 3:
        tries += 1
        title_id = pick(random, popular) if random() < 0.6 else pick(random, titles)[0]
        member = pick(random, member_ids)
        if (member, title_id) in seen:
            continue
        seen.add((member, title_id))
        rows.append((member, title_id, stamp(moment(rng, *WINDOW))))
    return rows


def with_counts(comments, replies, marks):
    """
    `comments` (rows for COMMENT_COLUMNS or REPLY_COLUMNS) with their visible replies and
    their marks counted on the end, for COUNTED_COLUMNS. Counted here, from the rows
    about to be loaded, the counts go in with the comments: left to the recount, they
    took an UPDATE of every comment (seconds, and on PostgreSQL a dead copy of each row).
    The recount still checks them.
    """
    parent, hidden = REPLY_COLUMNS.index("parent_id"), REPLY_COLUMNS.index("is_hidden")
    marked = MARK_COLUMNS.index("comment_id")
    reply_counts = Counter(row[parent] for row in replies if not row[hidden])
    mark_counts = Counter(row[marked] for row in marks)
    return [(*row, reply_counts[row[0]], mark_counts[row[0]]) for row in comments]


COUNTED_COLUMNS = ["reply_count", "mark_count"]


def suggestion_rows(rng, member_ids, total):
    """Suggestions, mostly waiting for a curator, some declined with a reason."""
    rows = []
    for number in range(total):
        name = f"A demo suggestion {number + 1}"
        kind = "series" if rng.random() < 0.6 else "movie"
        declined = rng.random() < 0.2
        rows.append(
            (
                rng.choice(member_ids),
                name,
                "",
                kind,
                1980 + int(rng.random() * 45),
                rng.choice(STUDIOS),
                12 + int(rng.random() * 14) if kind == "series" else None,
                None if kind == "series" else 80 + int(rng.random() * 60),
                "It follows a family through one last summer, and the last scene undid me.",
                search.names_key(name),
                "declined" if declined else "open",
                "It is already in the catalogue under another name." if declined else "",
                stamp(moment(rng, *WINDOW)),
            )
        )
    return rows
