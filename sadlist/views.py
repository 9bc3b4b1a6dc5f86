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
    """Writes and reads back a key of its own: the cache that spares the database work."""
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        answered = cache.get(key) == "ok"
        cache.delete(key)
    except Exception:  # noqa: BLE001 -- each cache backend raises its own errors
        return False
    return answered


@never_cache
def healthz(request):
    """200 when the process is alive and its database answers, 503 when it does not."""
    if not database_answers():
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request):
    """
    Whether the load balancer should send this server requests: 200 when it can serve
    pages, which needs the database and nothing else. A cache that does not answer only
    makes pages slower to build (sadlist.cache), and it is shared, so taking servers out
    for it would take out every one: it is reported in the body (sadlist.cache logs the
    outage), and the answer stays 200.
    """
    if not database_answers():
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    if not cache_answers():
        return HttpResponse(
            "ready\ncache unavailable: pages are built without it\n", content_type="text/plain"
        )
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
