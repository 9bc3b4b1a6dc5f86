"""
A member brings their history: a MyAnimeList export (XML), an AniList export (JSON) or a
Sadlist export. Titles are matched by external id, else by any name, and queued to
rate on their profile; nothing is rated for them; unmatched entries are listed. A file
too large, too long, malformed or hostile saves nothing and says why. Their own export
carries the external ids, so it can be matched back.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.imports import IMPORT_MAX_ENTRIES
from accounts.models import ImportedTitle
from catalogue.models import Title
from reviews.models import Rating

pytestmark = pytest.mark.django_db

MAL_EXPORT = """<?xml version="1.0" encoding="UTF-8" ?>
<myanimelist>
  <myinfo><user_name>someone</user_name></myinfo>
  <anime>
    <series_animedb_id>578</series_animedb_id>
    <series_title>Hotaru no Haka</series_title>
    <my_score>10</my_score>
    <my_status>Completed</my_status>
  </anime>
  <anime>
    <series_animedb_id>999999</series_animedb_id>
    <series_title>Kimiuso</series_title>
    <my_status>Completed</my_status>
  </anime>
  <anime>
    <series_animedb_id>1</series_animedb_id>
    <series_title>Cowboy Bebop</series_title>
    <my_status>Completed</my_status>
  </anime>
  <anime>
    <series_animedb_id>2</series_animedb_id>
    <series_title>Some Plan</series_title>
    <my_status>Plan to Watch</my_status>
  </anime>
</myanimelist>
"""

ANILIST_EXPORT = {
    "data": {
        "MediaListCollection": {
            "lists": [
                {
                    "name": "Completed",
                    "entries": [
                        {
                            "status": "COMPLETED",
                            "score": 9,
                            "media": {"id": 20665, "idMal": None, "title": {"romaji": "x"}},
                        },
                        {
                            "status": "COMPLETED",
                            "media": {"id": 5, "title": {"english": "Nothing Like It"}},
                        },
                    ],
                }
            ]
        }
    }
}


def upload(client, name, content):
    if isinstance(content, str):
        content = content.encode()
    return client.post("/account/import/", {"list_file": SimpleUploadedFile(name, content)})


@pytest.fixture
def catalogue_with_ids(listed_titles):
    movie, series = listed_titles
    Title.objects.filter(pk=movie.pk).update(myanimelist_id=578)
    Title.objects.filter(pk=series.pk).update(anilist_id=20665)
    return movie, series


def test_a_myanimelist_export_queues_matched_titles_and_lists_the_rest(
    reader_client, reader, catalogue_with_ids
):
    response = upload(reader_client, "animelist.xml", MAL_EXPORT)
    page = response.content.decode()
    assert "2 titles added to your “seen it, rate it” queue." in page
    assert "Cowboy Bebop" in page and "1 planned but not yet watched was left out." in page
    assert set(ImportedTitle.objects.values_list("title__slug", "origin")) == {
        ("grave-of-the-fireflies", "myanimelist"),
        ("your-lie-in-april", "myanimelist"),  # by its other name, Kimiuso
    }
    assert not Rating.objects.exists()
    profile = reader_client.get("/members/reader/").content.decode()
    queue = profile.split('id="rate-queue"')[1].split("</section>")[0]
    assert "Grave of the Fireflies" in queue and "Your Lie in April" in queue


def test_a_rated_title_leaves_the_queue(reader_client, reader, catalogue_with_ids):
    movie, _ = catalogue_with_ids
    upload(reader_client, "animelist.xml", MAL_EXPORT)
    Rating.objects.rate(reader, movie, 5)
    profile = reader_client.get("/members/reader/").content.decode()
    queue = profile.split('id="rate-queue"')[1].split("</section>")[0]
    assert "Grave of the Fireflies" not in queue and "Your Lie in April" in queue
    # Importing again queues nothing twice.
    page = upload(reader_client, "animelist.xml", MAL_EXPORT).content.decode()
    assert "0 titles added" in page and "2 were already rated or queued." in page
    assert ImportedTitle.objects.count() == 2


def test_an_anilist_export_matches_by_anilist_id(reader_client, catalogue_with_ids):
    page = upload(reader_client, "anilist.json", json.dumps(ANILIST_EXPORT)).content.decode()
    assert "1 title added" in page and "Nothing Like It" in page
    assert list(ImportedTitle.objects.values_list("title__slug", "origin")) == [
        ("your-lie-in-april", "anilist")
    ]


def test_a_sadlist_export_comes_back_with_its_external_ids(
    reader_client, reader, other_client, catalogue_with_ids
):
    movie, series = catalogue_with_ids
    Rating.objects.rate(reader, movie, 5)
    export = reader_client.get("/account/export.json").content
    rows = json.loads(export)["ratings"]
    assert rows[0]["myanimelist_id"] == 578 and rows[0]["anilist_id"] is None
    csv_text = reader_client.get("/account/export.csv").content.decode()
    assert "myanimelist_id" in csv_text.splitlines()[0] and ",578," in csv_text
    page = upload(other_client, "sadlist.json", export).content.decode()
    assert "1 title added" in page
    assert list(ImportedTitle.objects.values_list("user__username", "title__slug")) == [
        ("other", "grave-of-the-fireflies")
    ]


ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<myanimelist><anime><series_title>&lol4;</series_title></anime></myanimelist>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE myanimelist [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<myanimelist><anime><series_title>&secret;</series_title></anime></myanimelist>
"""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bomb.xml", ENTITY_BOMB, "declares entities or a document type"),
        ("external.xml", EXTERNAL_ENTITY, "declares entities or a document type"),
        ("broken.xml", "<myanimelist><anime>", "This is not a readable XML file"),
        ("other.xml", "<rss></rss>", "not a MyAnimeList list export"),
        ("notes.txt", "just some words", "neither a MyAnimeList export"),
        ("list.json", "[1, 2]", "not an AniList or Sadlist export"),
        ("deep.json", "[" * 100_000, "neither a MyAnimeList export"),
        ("empty.json", "", "The submitted file is empty."),
    ],
)
def test_hostile_or_malformed_files_save_nothing_and_say_why(
    reader_client, catalogue_with_ids, unchanged, name, content, message
):
    with unchanged():
        response = upload(reader_client, name, content)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ImportedTitle.objects.exists()


def test_a_sadlist_export_with_a_nul_in_a_slug_matches_by_name(reader_client, catalogue_with_ids):
    export = {
        "member": "someone",
        "ratings": [{"title": "Grave of the Fireflies", "title_slug": "grave\x00"}],
    }
    page = upload(reader_client, "sadlist.json", json.dumps(export)).content.decode()
    assert "1 title added" in page
    assert ImportedTitle.objects.get().title.slug == "grave-of-the-fireflies"


def test_a_50_megabyte_file_is_refused_unread(reader_client, catalogue_with_ids):
    big = b"<myanimelist>" + b" " * (50 * 1024 * 1024) + b"</myanimelist>"
    response = upload(reader_client, "huge.xml", big)
    assert response.status_code == 422
    assert "The file is 50.0 MB; we read files up to 5 MB." in response.content.decode()
    assert not ImportedTitle.objects.exists()


def test_too_many_entries_are_refused(reader_client, catalogue_with_ids):
    anime = "<anime><series_title>x</series_title></anime>"
    content = f"<myanimelist>{anime * (IMPORT_MAX_ENTRIES + 1)}</myanimelist>"
    response = upload(reader_client, "long.xml", content)
    assert f"we import at most {IMPORT_MAX_ENTRIES:,} at a time" in response.content.decode()
    assert not ImportedTitle.objects.exists()


def test_importing_needs_a_member_and_a_post(catalogue_with_ids):
    response = upload(Client(), "animelist.xml", MAL_EXPORT)
    assert response.status_code == 302 and "/account/signin/" in response["Location"]
    assert not ImportedTitle.objects.exists()


@pytest.mark.parametrize("size", [1, 8])
def test_the_owners_profile_sections_cost_the_same_whatever_their_size(
    reader_client, reader, django_assert_num_queries, size
):
    from api.models import AccessToken

    from .factories import make_title

    for number in range(size):
        AccessToken.objects.issue(reader, f"script {number}", can_write=False)
        title = make_title(f"Queued {number}", slug=f"queued-{number}")
        ImportedTitle.objects.create(user=reader, title=title, origin="myanimelist")
    # Session with the signed-in member, the profile's member, ratings count, comments
    # count (no pages of either to read), their community row, watchlist count,
    # suggestions, new replies (count, then the replies), the tokens, the queue to rate.
    with django_assert_num_queries(11):
        page = reader_client.get("/members/reader/").content.decode()
    assert f"Queued {size - 1}" in page and f"script {size - 1}" in page
