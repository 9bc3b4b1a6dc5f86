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
