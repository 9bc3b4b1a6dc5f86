"""
The JSON API for anyone: titles with browse's filters, a title, its comments, themes,
the articles beside the community, a member's profile; errors as problem documents,
pages with counts and links, reads open to other origins, and a fixed number of
queries per request.
"""

import pytest
from django.test import Client

from catalogue.models import Title
from reviews.models import Comment, Rating

from .factories import comment, make_catalogue, rate

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def visitor():
    return Client()


def test_it_lists_titles_saddest_first_with_counts_and_links(visitor, listed_titles):
    movie, series = listed_titles
    rate(series, [5, 5, 5, 5, 5])
    response = visitor.get("/api/v1/titles/")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["count"] == 2
    assert [title["slug"] for title in body["results"]] == [
        "your-lie-in-april",
        "grave-of-the-fireflies",
    ]
    assert body["next"] is None and body["previous"] is None
    lie = body["results"][0]
    assert lie["rating_count"] == 5 and lie["few_ratings"] is False
    assert lie["other_names"] == ["Kimiuso"]
    assert lie["url"] == "http://testserver/titles/your-lie-in-april/"
    assert lie["picture"].startswith("http://testserver/media/")


def test_it_filters_titles_as_browse_does(visitor, listed_titles):
    body = visitor.get("/api/v1/titles/?kind=series&theme=grief").json()
    assert [title["name"] for title in body["results"]] == ["Your Lie in April"]
    body = visitor.get("/api/v1/titles/?q=hotaru").json()
    assert [title["name"] for title in body["results"]] == ["Grave of the Fireflies"]
    body = visitor.get("/api/v1/titles/?source=cry-a-river&sort=rank").json()
    assert [title["name"] for title in body["results"]] == [
        "Grave of the Fireflies",
        "Your Lie in April",
    ]


def test_it_pages_titles_with_next_and_previous_links(visitor, db):
    make_catalogue(30)
    first = visitor.get("/api/v1/titles/?sort=name").json()
    assert first["count"] == 30 and first["pages"] == 2 and len(first["results"]) == 24
    assert first["next"] == "http://testserver/api/v1/titles/?sort=name&page=2"
    second = visitor.get(first["next"]).json()
    assert len(second["results"]) == 6
    assert second["previous"] == "http://testserver/api/v1/titles/?sort=name&page=1"
    assert not {t["slug"] for t in first["results"]} & {t["slug"] for t in second["results"]}


def test_a_page_past_the_last_is_a_problem(visitor, listed_titles):
    response = visitor.get("/api/v1/titles/?page=3")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "There is only 1 page."


def test_bad_filters_are_problems_naming_each_field(visitor, listed_titles):
    response = visitor.get("/api/v1/titles/?year_min=soon&sort=sideways")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Invalid input"
    assert {error["field"] for error in problem["errors"]} == {"year_min", "sort"}

    response = visitor.get("/api/v1/titles/?theme=nonsense")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "request", "messages": ["There is no theme “nonsense”; we left it out."]}
    ]
    response = visitor.get("/api/v1/titles/?year_min=2020&year_max=1990")
    assert response.json()["errors"] == [
        {"field": "request", "messages": ["The year range starts after it ends."]}
    ]


def test_a_title_has_facts_provenance_and_its_distribution(visitor, listed_titles):
    movie, _ = listed_titles
    Title.objects.filter(pk=movie.pk).update(myanimelist_id=578, anilist_id=578)
    rate(movie, [5, 5, 4])
    body = visitor.get("/api/v1/titles/grave-of-the-fireflies/").json()
    assert body["studio"] == "Studio Ghibli" and body["runtime_minutes"] == 89
    assert body["why_it_hurts"] == "Two children, a war, and nobody coming to help."
    assert [theme["slug"] for theme in body["themes"]] == ["grief", "war"]
    assert body["listings"][0]["description"] == "#1 movie"
    assert body["listings"][0]["source"] == "cry-a-river"
    assert body["mean"] == pytest.approx(4.667, abs=0.001)
    assert body["distribution"][:2] == [
        {"level": 5, "name": "Cried a river", "count": 2, "percent": 67},
        {"level": 4, "name": "Sobbing", "count": 1, "percent": 33},
    ]
    assert sum(level["percent"] for level in body["distribution"]) == 100
    assert body["external_ids"] == {
        "myanimelist": 578,
        "anilist": 578,
        "anidb": None,
        "kitsu": None,
    }


def test_an_unpublished_or_unknown_title_is_a_404_problem(visitor, listed_titles):
    Title.objects.filter(slug="grave-of-the-fireflies").update(is_published=False)
    for path in ("/api/v1/titles/grave-of-the-fireflies/", "/api/v1/titles/nope/comments/"):
        response = visitor.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
    response = visitor.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    # A write to an address that is not there: the same problem, not a CSRF page.
    response = Client(enforce_csrf_checks=True).delete("/api/v1/titles/not a slug/rating/")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM


def test_a_titles_comments_leave_out_hidden_ones(visitor, grave, reader, other_reader):
    Rating.objects.rate(reader, grave, 5)
    shown = comment(grave, "Ruined me.", user=reader, is_spoiler=True)
    comment(grave, "Rude words.", user=other_reader).hide()
    body = visitor.get("/api/v1/titles/grave-of-the-fireflies/comments/").json()
    assert body["count"] == 1
    (only,) = body["results"]
    assert only["id"] == shown.pk and only["author"] == "reader" and only["author_tears"] == 5
    assert only["body"] == "Ruined me." and only["is_spoiler"] is True


def test_themes_and_sources_beside_the_community(visitor, listed_titles):
    movie, series = listed_titles
    rate(series, [5, 5, 5, 5, 5])
    themes = visitor.get("/api/v1/themes/").json()
    assert [(theme["slug"], theme["title_count"]) for theme in themes] == [
        ("grief", 2),
        ("war", 1),
    ]
    (source,) = visitor.get("/api/v1/sources/").json()
    assert source["slug"] == "cry-a-river"
    entries = {
        entry["title"]: (entry["article_rank"], entry["community_rank"])
        for section in source["sections"]
        for entry in section["entries"]
    }
    assert entries == {"grave-of-the-fireflies": (1, 1), "your-lie-in-april": (3, 1)}
    assert visitor.get("/api/v1/sources/cry-a-river/").json() == source


def test_a_members_public_profile_and_ratings(visitor, grave, reader):
    Rating.objects.rate(reader, grave, 4)
    Comment.objects.post(reader, grave, "Oof.")
    body = visitor.get("/api/v1/members/reader/").json()
    assert body["username"] == "reader"
    assert body["rating_count"] == 1 and body["comment_count"] == 1
    assert "email" not in body
    ratings = visitor.get("/api/v1/members/reader/ratings/").json()
    assert ratings["results"][0]["tear_level"] == "Sobbing"
    assert visitor.get("/api/v1/members/nobody/").status_code == 404


def test_reads_are_open_to_other_origins_without_credentials(visitor, grave):
    response = visitor.get("/api/v1/titles/", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_the_schema_is_at_a_stable_address_and_the_docs_page_lists_it(visitor):
    schema = visitor.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/titles/" in schema["paths"]
    page = visitor.get("/api/").content.decode()
    assert "/api/v1/openapi.json" in page
    assert "/api/v1/titles/{slug}/rating/" in page
    home = visitor.get("/").content.decode()
    assert 'href="/api/"' in home


def test_reads_past_the_limit_get_429_and_retry_after(visitor, grave, settings):
    from django.core.cache import cache

    cache.clear()
    settings.API_READS_PER_MINUTE = 3
    answers = [visitor.get("/api/v1/themes/") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1]["Content-Type"] == PROBLEM
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60
    cache.clear()


@pytest.mark.parametrize("size", [3, 30])
def test_title_list_and_title_cost_the_same_queries_whatever_the_size(
    visitor, django_assert_num_queries, size
):
    make_catalogue(size)
    slug = Title.objects.order_by("pk").values_list("slug", flat=True).first()
    # Facets (kinds, themes, sources, services), the causes offered, the count, the page.
    with django_assert_num_queries(7):
        assert visitor.get("/api/v1/titles/").status_code == 200
    # The title with its stats, its themes, its listings, its watch options, and the
    # insights: their totals, the causes' rows, the moments' rows. Spoilers or not.
    for spoilers in ("", "?spoilers=true"):
        with django_assert_num_queries(7):
            assert visitor.get(f"/api/v1/titles/{slug}/{spoilers}").status_code == 200
    # The title, one page of comments (the count is the stored one).
    with django_assert_num_queries(2):
        assert visitor.get(f"/api/v1/titles/{slug}/comments/").status_code == 200
