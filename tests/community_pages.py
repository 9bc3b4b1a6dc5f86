"""The community's pages for the valid-HTML sweep (tests/test_valid_html.py)."""

from django.test import Client

from catalogue.suggestions import Suggestion
from reviews.models import CommentMark, WatchlistEntry, reply

GRAVE = "/titles/grave-of-the-fireflies/"
SUGGESTION = {
    "name": "Grave of the Fireflies",
    "kind": "movie",
    "year": "1988",
    "why_it_hurts": "Setsuko.",
    "seen_at": "javascript:alert(1)",
}


def community_pages(html_of, member_client, reader, other_reader, theirs):
    """Threads, replies, marks, the watchlist and suggestions; `html_of` checks each."""
    answer = reply(reader, theirs, "Me too, <i>every</i> time.")
    for index in range(4):
        reply(other_reader, theirs, f"Answer {index}")
    CommentMark.objects.mark(reader, theirs)
    CommentMark.objects.mark(other_reader, answer)
    WatchlistEntry.objects.add(reader, theirs.title)
    Suggestion.objects.create(
        user=reader, name="Bokura no", kind="series", year=2007, why_it_hurts="Pilots."
    )
    return {
        "title page, threads with marks (member)": html_of(
            member_client.get(GRAVE + "?order=marks"), "Undo “this hit me too”"
        ),
        "title page, threads (visitor)": html_of(Client().get(GRAVE), "See all 5 replies"),
        "thread page": html_of(member_client.get(f"/comments/{theirs.pk}/"), "Post my reply"),
        "thread page (visitor)": html_of(
            Client().get(f"/comments/{theirs.pk}/"), "Sign in to reply"
        ),
        "reply form": html_of(member_client.get(f"/comments/{theirs.pk}/reply/"), "Post my reply"),
        "reply form, with errors": html_of(
            member_client.post(f"/comments/{theirs.pk}/reply/", {"body": ""}),
            "Your reply is not posted yet",
        ),
        "suggestion form": html_of(member_client.get("/suggest/"), "Send my suggestion"),
        "suggestion form, did you mean and errors": html_of(
            member_client.post("/suggest/", SUGGESTION), "Did you mean"
        ),
        "profile with watchlist, replies and suggestions": html_of(
            member_client.get("/members/reader/"), "Waiting for a curator"
        ),
    }
