"""
The benchmark's Django-side steps, run by bench/run.py with the benchmark's settings:

    python bench/prepare.py status         -> JSON: how many titles, members, ratings
    python bench/prepare.py plan DIRECTORY -> JSON: slugs and a member's cookie to load
                                              pages with, and DIRECTORY/rate.tsv and
                                              rate-tears.tsv, the rating POSTs wrk
                                              sends (one per line: path, cookie, form
                                              body; half of the first file's tell more)

Members are signed in with Client.force_login, which writes a real session as the sign-in
page would, so the benchmark needs no password and works before that page exists.
"""

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sadlist.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.middleware.csrf import get_token  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402

from catalogue.models import Title  # noqa: E402
from reviews.demo import MEMBER_EMAIL_DOMAIN  # noqa: E402
from reviews.models import (  # noqa: E402
    Cause,
    Comment,
    Ending,
    Rating,
    TitleStats,  # noqa: E402
)

# Rating POSTs spread over this many members' sessions (half for each plan) and this
# many distinct requests per plan: enough for every run of wrk in a whole benchmark to
# send lines of its own (bench/run.py, PLAN_STRETCH), with the default three runs.
SESSIONS = 200
PLANNED_POSTS = 48_000
# The plan files, by kind of POST.
PLANS = {"mixed": "rate.tsv", "tears": "rate-tears.tsv"}


def status():
    return {
        "titles": Title.objects.count(),
        "members": get_user_model().objects.count(),
        "ratings": Rating.objects.count(),
        "comments": Comment.objects.count(),
    }


def signed_in_cookie(member):
    """A session cookie for `member` and a CSRF cookie with the form token that matches it."""
    client = Client()
    client.force_login(member)
    request = RequestFactory().get("/")
    form_token = get_token(request)
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
        f"{settings.CSRF_COOKIE_NAME}={request.META['CSRF_COOKIE']}"
    )
    return cookie, form_token


def titles_by_ratings():
    """Published titles' stats, most rated first, each with its title."""
    return (
        TitleStats.objects.filter(title__is_published=True)
        .select_related("title")
        .order_by("-rating_count", "pk")
    )


def popular_and_median():
    """The stats of the most-rated title and of the median one (None, None if none)."""
    by_ratings = titles_by_ratings()
    popular = by_ratings.first()
    return popular, (by_ratings[by_ratings.count() // 2] if popular else None)


def demo_members(count):
    """The first `count` members seed_demo made."""
    return list(
        get_user_model()
        .objects.filter(email__endswith=f"@{MEMBER_EMAIL_DOMAIN}")
        .order_by("pk")[:count]
    )


def plan(directory, posts=PLANNED_POSTS):
    """
    Pick the titles to load and write two plans of `posts` rating POSTs each, from
    members of their own (half of SESSIONS each): PLANS["mixed"], half of whose ratings
    tell more, and PLANS["tears"], ratings of tears alone. Returns what run.py needs.
    """
    rng = random.Random(1)  # noqa: S311 - a reproducible load, not a secret
    popular, median = popular_and_median()
    members = demo_members(SESSIONS)
    if not (popular and members):
        raise SystemExit("The benchmark database has no rated titles or no demo members.")
    sessions = [signed_in_cookie(member) for member in members]
    slugs = list(Title.objects.published().order_by("pk").values_list("slug", flat=True))
    # Half the votes go to the hundred most-rated titles, as on a real site.
    titles = ([row.title.slug for row in titles_by_ratings()[:100]], slugs)
    cause_ids = list(Cause.objects.in_use().values_list("pk", flat=True))
    for kind, share_telling_more in (("mixed", 0.5), ("tears", 0.0)):
        # Members of its own: no line of one plan changes what a line of the other expects.
        half = slice(0, None, 2) if kind == "mixed" else slice(1, None, 2)
        lines = _plan_lines(
            rng, members[half], sessions[half], titles, cause_ids, posts, share_telling_more
        )
        (Path(directory) / PLANS[kind]).write_text("\n".join(lines) + "\n")
    return {
        "popular_slug": popular.title.slug,
        "popular_ratings": popular.rating_count,
        "popular_comments": popular.comment_count,
        "median_slug": median.title.slug,
        "median_ratings": median.rating_count,
        "member_cookie": sessions[0][0],
        "member_username": members[0].get_username(),
        "plans": PLANS,
    }


def _plan_lines(rng, members, sessions, titles, cause_ids, posts, share_telling_more):
    """
    `posts` plan lines (path, cookie, form body) from `members` (signed in as
    `sessions`) to the hot titles or any (`titles`, half and half), each one a write: a
    new rating, or a change of the tears the member gave (as the database has them now,
    or as an earlier line changed them), with new extras when it tells more. A POST
    that changes nothing costs less, and would flatter the figure.
    """
    hot, slugs = titles
    tears_now = {
        (user_id, slug): tears
        for user_id, slug, tears in Rating.objects.filter(user__in=members).values_list(
            "user_id", "title__slug", "tears"
        )
    }
    lines = []
    for _ in range(posts):
        index = rng.randrange(len(sessions))
        cookie, form_token = sessions[index]
        slug = rng.choice(hot) if rng.random() < 0.5 else rng.choice(slugs)
        pair = (members[index].pk, slug)
        tears = rng.choice([level for level in range(6) if level != tears_now.get(pair)])
        tears_now[pair] = tears
        body = f"tears={tears}&csrfmiddlewaretoken={form_token}"
        if rng.random() < share_telling_more:
            # As the form sends it: causes with tears, how good it was, how it ends (no
            # moment: it depends on the title's length).
            named = rng.sample(cause_ids, 2) if tears and cause_ids else []
            body += "&tell_more=1" + "".join(f"&causes={pk}" for pk in named)
            body += f"&quality={rng.randint(1, 5)}&ending={rng.choice(Ending.values)}"
        lines.append(f"/titles/{slug}/rate/\t{cookie}\t{body}")
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["status"]:
        print(json.dumps(status()))
    elif sys.argv[1:2] == ["plan"] and len(sys.argv) == 3:
        print(json.dumps(plan(sys.argv[2])))
    else:
        raise SystemExit(__doc__)
