"""
The JSON API, version 1: what the site's pages show, for other programs.

Reads are open to anyone (and to other origins, api.middleware). Writes need a
personal access token that may write, and go through the same forms and model methods
as the title page (reviews.views), so the rules, the limits and the stats kept by
triggers are the same whichever way a member rates or comments. Each resource's
operations live in a module of their own, added here in the order the document lists
them.
"""

from ninja import NinjaAPI

from api import catalogue, comments, members, problems, ratings, titles
from api.limits import READS


class SadlistAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return problems.document_problems(super().get_openapi_schema(*args, **kwargs))

    def get_openapi_operation_id(self, operation):
        # The ids as first published, when every operation lived in this module:
        # programs generated from the document name their methods after them.
        return f"api_endpoints_{operation.view_func.__name__}"


api = SadlistAPI(
    title="Sadlist API",
    version="1",
    description="Anime that make people cry, and how hard: titles, tear ratings, "
    "comments and the articles they come from. Errors are application/problem+json.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    throttle=[READS],
)
problems.install(api)
for part in (titles, comments, catalogue, members, ratings):
    api.add_router("", part.router)
