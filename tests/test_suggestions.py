"""
Members suggest titles the catalogue lacks: a possible duplicate is shown first,
limits hold, curators accept, merge or decline in the admin (each decision logged),
the member follows it on their profile, and a published title credits them.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from catalogue.models import Title
from catalogue.suggestions import Suggestion

from .factories import make_members, make_theme, make_title

pytestmark = pytest.mark.django_db

URL = "/suggest/"


def suggestion(**changes):
    return {
        "name": "Violet Evergarden: The Movie",
        "original_name": "Gekijouban Violet Evergarden",
        "other_names": "",
        "kind": "movie",
        "year": "2020",
        "studio": "Kyoto Animation",
        "episodes": "",
        "runtime_minutes": "140",
        "why_it_hurts": "The letters. All of the letters.",
        "seen_at": "https://example.org/saddest-movies",
        **changes,
    }


def field_errors(html, field):
    """The text of the form group for `field`: its label, input and errors."""
    return html.split(f'id="id_{field}_error"')[1][:600] if f'id="id_{field}_error"' in html else ""


@pytest.fixture
def clannad(db):
    return make_title(
        "Clannad After Story", slug="clannad-after-story", original_name="Clannad: After Story"
    )


def test_a_member_suggests_a_title_and_sees_it_waiting_on_their_profile(reader_client, reader):
    response = reader_client.post(URL, suggestion(), follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [("/members/reader/#suggestions", 302)]
    assert "Violet Evergarden: The Movie is waiting for a curator." in html
    assert "Violet Evergarden: The Movie (2020): <strong>Waiting for a curator</strong>" in html
    saved = Suggestion.objects.get()
    assert (saved.user, saved.kind, saved.year, saved.runtime_minutes, saved.state) == (
        reader,
        "movie",
        2020,
        140,
        "open",
    )


@pytest.mark.parametrize(
    "name",
    ["clannad after story", "CLANNAD: AFTER-STORY", "Clannad After Stóry", "Clannad: After Story"],
)
def test_a_name_like_an_existing_title_asks_did_you_mean_first(
    reader_client, clannad, name, unchanged
):
    with unchanged():
        html = reader_client.post(URL, suggestion(name=name, original_name="")).content.decode()
    assert "Did you mean" in html
    assert '<a href="/titles/clannad-after-story/">Clannad After Story</a>' in html
    assert "It is a different title from the ones shown" in html
    assert not Suggestion.objects.exists()


def test_the_member_can_still_send_a_different_title_with_a_similar_name(reader_client, clannad):
    reader_client.post(URL, suggestion(name="Clannad After Story", not_a_duplicate="on"))
    assert Suggestion.objects.get().name == "Clannad After Story"


def test_an_open_suggestion_counts_as_a_possible_duplicate(reader_client, other_reader):
    Suggestion.objects.submit(other_reader, **suggestion_fields())
    html = reader_client.post(URL, suggestion(name="violet evergarden the movie")).content.decode()
    assert "Violet Evergarden: The Movie (suggested, waiting for a curator)" in html
    assert Suggestion.objects.count() == 1


def suggestion_fields(**changes):
    fields = suggestion(**changes)
    fields.update(year=int(fields["year"]), runtime_minutes=int(fields["runtime_minutes"]))
    fields["episodes"] = None
    return fields


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"year": "1850"}, "year", "A year from 1917 to 2100"),
        ({"year": "3000"}, "year", "A year from 1917 to 2100"),
        ({"kind": "series", "episodes": "-3"}, "episodes", "A series has at least one episode."),
        ({"runtime_minutes": "0"}, "runtime_minutes", "A running time is at least one minute."),
        ({"seen_at": "javascript:alert(1)"}, "seen_at", "starting with http:// or https://"),
        ({"seen_at": "ftp://example.org/x"}, "seen_at", "starting with http:// or https://"),
        ({"why_it_hurts": ""}, "why_it_hurts", "This field is required."),
        ({"kind": "opera"}, "kind", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_next_to_the_field(reader_client, changes, field, message, unchanged):
    with unchanged():
        html = reader_client.post(URL, suggestion(**changes)).content.decode()
    assert message in field_errors(html, field)
    assert not Suggestion.objects.exists()


def test_open_suggestions_and_a_day_are_limited(reader_client, reader, settings):
    settings.SUGGESTIONS_OPEN, settings.SUGGESTIONS_PER_DAY = 2, 3
    for index in range(2):
        reader_client.post(URL, suggestion(name=f"Title {index}", original_name=""))
    html = reader_client.post(URL, suggestion(name="One more", original_name="")).content.decode()
    assert "You have 2 suggestions waiting for a curator" in html
    Suggestion.objects.filter(user=reader).update(state="declined", decline_reason="No.")
    reader_client.post(URL, suggestion(name="Third", original_name=""))
    html = reader_client.post(URL, suggestion(name="Fourth", original_name="")).content.decode()
    assert "You have made 3 suggestions in the last 24 hours" in html
    assert Suggestion.objects.filter(user=reader).count() == 3


def test_suggesting_needs_a_signed_in_member(client):
    response = Client().post(URL, suggestion())
    assert response.status_code == 302 and "/account/signin/" in response["Location"]
    assert not Suggestion.objects.exists()


def decide(curator_client, suggestion, **data):
    return curator_client.post(
        f"/admin/catalogue/suggestion/{suggestion.pk}/change/",
        {"decision": "", "merge_into": "", "reason": "", **data},
        follow=True,
    )


def test_a_curator_accepts_completes_and_publishes_and_the_member_is_credited(
    curator_client, reader, client
):
    waiting = Suggestion.objects.submit(reader, **suggestion_fields())
    queue = curator_client.get("/admin/catalogue/suggestion/").content.decode()
    assert "Violet Evergarden: The Movie" in queue
    response = decide(curator_client, waiting, decision="accept")
    title = Title.objects.get(name="Violet Evergarden: The Movie")
    assert response.redirect_chain[-1][0] == f"/admin/catalogue/title/{title.pk}/change/"
    assert (title.is_published, title.year, title.runtime_minutes, title.studio) == (
        False,
        2020,
        140,
        "Kyoto Animation",
    )
    waiting.refresh_from_db()
    assert (waiting.state, waiting.title) == ("accepted", title)
    assert LogEntry.objects.get(object_id=str(waiting.pk)).change_message.startswith(
        "Accepted: created the unpublished title"
    )
    assert client.get(title.get_absolute_url()).status_code == 404
    Title.objects.filter(pk=title.pk).update(is_published=True, synopsis="Letters.")
    html = Client().get(title.get_absolute_url()).content.decode()
    assert 'Suggested by <a href="/members/reader/">reader</a>' in html


def test_a_curator_merges_a_suggestion_into_a_title_we_have(curator_client, reader, clannad):
    waiting = Suggestion.objects.submit(reader, **suggestion_fields(name="Clannad AS"))
    decide(curator_client, waiting, decision="merge", merge_into=clannad.pk)
    waiting.refresh_from_db()
    assert (waiting.state, waiting.title) == ("merged", clannad)
    assert LogEntry.objects.get(object_id=str(waiting.pk)).change_message == (
        "Merged into “Clannad After Story”."
    )
    reader_client = Client()
    reader_client.force_login(reader)
    html = reader_client.get("/members/reader/").content.decode()
    assert "<strong>Already in the catalogue</strong>" in html
    assert 'href="/titles/clannad-after-story/">see Clannad After Story</a>' in html


def test_a_curator_declines_with_a_reason_the_member_reads(curator_client, reader):
    waiting = Suggestion.objects.submit(reader, **suggestion_fields())
    response = decide(curator_client, waiting, decision="decline", reason="")
    assert "Say why, for the member to read." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == "open"
    decide(curator_client, waiting, decision="decline", reason="Not out yet   in any country.")
    waiting.refresh_from_db()
    assert (waiting.state, waiting.decline_reason) == ("declined", "Not out yet in any country.")
    member = Client()
    member.force_login(reader)
    html = member.get("/members/reader/").content.decode()
    assert "<strong>Declined</strong> — Not out yet in any country." in html


def test_a_decided_suggestion_cannot_be_decided_again(curator_client, reader, clannad):
    waiting = Suggestion.objects.submit(reader, **suggestion_fields())
    decide(curator_client, waiting, decision="decline", reason="No.")
    html = decide(curator_client, waiting, decision="accept").content.decode()
    assert "This suggestion was already decided." in html
    assert not Title.objects.filter(name="Violet Evergarden: The Movie").exists()


def test_suggestions_are_only_shown_to_their_author(client, reader):
    Suggestion.objects.submit(reader, **suggestion_fields())
    assert "Violet Evergarden" not in Client().get("/members/reader/").content.decode()


def test_members_cannot_reach_the_queue(reader_client):
    assert reader_client.get("/admin/catalogue/suggestion/").status_code == 302


# The form page: the session with the member; a post adds the duplicate checks (titles
# and open suggestions), the member's row locked, the two counts and the insert,
# inside a savepoint.
def test_the_suggestion_page_costs_a_fixed_number_of_queries(
    reader_client, django_assert_num_queries
):
    make_title("Noise", slug="noise", themes=[make_theme("Grief")])
    with django_assert_num_queries(1):
        reader_client.get(URL)
    for member in make_members(3):
        others = suggestion_fields(name=f"Other {member.pk}", original_name="")
        Suggestion.objects.submit(member, **others)
    with django_assert_num_queries(9):
        reader_client.post(URL, suggestion())


def test_open_suggestions_are_counted_exactly_whatever_decides_them(curator_client, reader):
    from reviews.models import CommunityMember
    from reviews.stats import recount_all, remove_member

    first = Suggestion.objects.submit(reader, **suggestion_fields(name="One", original_name=""))
    Suggestion.objects.submit(reader, **suggestion_fields(name="Two", original_name=""))
    assert CommunityMember.objects.get(user=reader).open_suggestion_count == 2
    first.decline("Not sad.")
    assert CommunityMember.objects.get(user=reader).open_suggestion_count == 1
    CommunityMember.objects.filter(user=reader).update(open_suggestion_count=9)
    assert recount_all() == [f"member {reader.pk}: open_suggestion_count 9 → 1"]
    remove_member(reader)
    assert not Suggestion.objects.exists() and not CommunityMember.objects.exists()
    assert recount_all() == []


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": "Nul\x00name"}, "name"),
        ({"name": "x" * 10_000}, "name"),
        ({"why_it_hurts": "Tears\x00"}, "why_it_hurts"),
        ({"seen_at": "https://example.org/" + "x" * 600}, "seen_at"),
        ({"year": "9" * 40}, "year"),
        ({"episodes": "9" * 40, "kind": "series"}, "episodes"),
    ],
)
def test_hostile_values_are_refused_next_to_the_field(reader_client, changes, field, unchanged):
    with unchanged():
        response = reader_client.post(URL, suggestion(**changes))
    assert response.status_code == 200
    assert field_errors(response.content.decode(), field)
    assert not Suggestion.objects.exists()
