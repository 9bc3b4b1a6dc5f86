"""Operational endpoints that belong to the deployment, not to a feature."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.static import serve

from sadlist import freshness


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def cache_answers():
    """Writes and reads back a key of its own: the cache this server's limits rely on."""
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        answered = cache.get(key) == "ok"
        cache.delete(key)
    except Exception:  # noqa: BLE001 -- each cache backend raises its own errors
        return False
    return answered


def healthz(request):
    """200 when the database answers, 503 when it does not."""
    if not database_answers():
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request):
    """200 when the database and the cache both answer; 503 naming what does not."""
    failing = [
        name
        for name, answers in (("database", database_answers), ("cache", cache_answers))
        if not answers()
    ]
    if failing:
        body = "".join(f"{name} unavailable\n" for name in failing)
        return HttpResponse(body, status=503, content_type="text/plain")
    return HttpResponse("ready\n", content_type="text/plain")


@never_cache
def generation(request):
    """
    204 with the current generation in X-Generation. nginx asks before serving a
    visitor a page from its cache and keys its cache by the answer, so a curator's
    change or a deploy reaches every visitor at once (deploy/nginx.conf).
    """
    response = HttpResponse(status=204)
    response["X-Generation"] = freshness.generation()
    return response


def media(request, path):
    """An uploaded file from MEDIA_ROOT, with the site's headers (see SERVE_MEDIA)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    return response
