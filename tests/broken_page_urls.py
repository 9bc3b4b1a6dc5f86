"""
The site's URLs plus /broken/, a page that fails every check on purpose.

Tests that prove the accessibility and HTML checks can fail use it through
`@pytest.mark.urls("tests.broken_page_urls")`; the site itself never serves it.
"""

from pathlib import Path

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from sadlist import urls as site_urls

BROKEN_TEMPLATE = Path(__file__).parent / "templates" / "broken_page.html"


def broken_page(request):
    template = engines["django"].from_string(BROKEN_TEMPLATE.read_text(encoding="utf-8"))
    return HttpResponse(template.render({}, request))


urlpatterns = [*site_urls.urlpatterns, path("broken/", broken_page)]
handler404 = site_urls.handler404
