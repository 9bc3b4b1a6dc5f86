"""
The API's OpenAPI document is valid OpenAPI 3, documents every answer an operation
can give (problem documents included), and names the token where one is needed.
(bench/fuzz_api.py checks the live server against it in CI.)
"""

import pytest
from django.test import Client
from openapi_spec_validator import validate

from pages.filters import PARAMETERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    return Client().get("/api/v1/openapi.json").json()


def test_the_openapi_document_validates(schema):
    validate(schema)
    assert schema["info"]["title"] == "Sadlist API"


def test_every_operation_documents_its_problems(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("404", "422", "429"):
                assert "application/problem+json" in responses[status]["content"], (method, path)
            assert "Retry-After" in responses["429"]["headers"]
            if method != "get" or path.endswith(("/me/", "/rating/")):
                assert operation["security"] == [{"TokenAuth": []}], (method, path)
                assert "401" in responses and "403" in responses


def test_the_titles_list_documents_browses_filters(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/titles/"]["get"]["parameters"]}
    assert names == {*PARAMETERS, "page"}


def test_operation_ids_stay_as_published(schema):
    """Programs generated from the document name their methods after these ids."""
    ids = {
        (method, path.removeprefix("/api/v1")): operation["operationId"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    published = {
        ("get", "/titles/"): "titles",
        ("get", "/titles/{slug}/"): "title",
        ("get", "/titles/{slug}/comments/"): "title_comments",
        ("post", "/titles/{slug}/comments/"): "post_comment",
        ("get", "/comments/{comment_id}/replies/"): "comment_replies",
        ("delete", "/comments/{comment_id}/"): "delete_comment",
        ("get", "/themes/"): "themes",
        ("get", "/causes/"): "causes",
        ("get", "/sources/"): "sources",
        ("get", "/sources/{slug}/"): "source",
        ("get", "/members/{username}/"): "member",
        ("get", "/members/{username}/ratings/"): "member_ratings",
        ("get", "/me/"): "me",
        ("get", "/titles/{slug}/rating/"): "my_rating",
        ("put", "/titles/{slug}/rating/"): "rate",
        ("delete", "/titles/{slug}/rating/"): "unrate",
    }
    assert ids == {key: f"api_endpoints_{name}" for key, name in published.items()}
