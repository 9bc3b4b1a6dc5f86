"""
Security headers and cookies: the Content-Security-Policy on every response, nonces for
inline scripts, the admin working under the policy, and the production cookie and HSTS
settings as gunicorn really serves them.
"""

import re

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import RequestFactory

from .factories import make_theme, make_title, rate
from .servers import request

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def directives(header):
    return dict(
        (name, sources)
        for name, _, sources in (part.strip().partition(" ") for part in header.split(";"))
    )


@pytest.fixture
def pages(db):
    theme = make_theme("Grief", slug="grief")
    grave = make_title("Grave of the Fireflies", slug="grave-of-the-fireflies", themes=[theme])
    rate(grave, [5, 3])  # so the title page draws its distribution bars
    call_command("make_covers", verbosity=0)
    return [
        "/",
        "/titles/grave-of-the-fireflies/",
        "/themes/grief/",
        "/titles/no-such-anime/",
        "/account/signin/",
        "/account/signup/",
        "/healthz",
        "/readyz",
    ]


def test_every_page_carries_the_policy_and_the_other_security_headers(client, pages):
    for path in pages:
        response = client.get(path)
        assert directives(response["Content-Security-Policy"]) == directives(POLICY), path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", path


def test_our_pages_need_no_inline_script_or_style(client, pages):
    for path in pages:
        html = client.get(path).content.decode()
        # JSON-LD is data, not a script: browsers never run it, so CSP need not allow it.
        assert not re.search(r'<script(?![^>]*\s(src=|type="application/ld\+json"))', html), path
        assert "<style" not in html and " style=" not in html, path


def test_an_inline_script_runs_only_with_the_nonce_of_its_response(settings):
    from csp.middleware import CSPMiddleware

    request = RequestFactory().get("/")
    middleware = CSPMiddleware(lambda request: HttpResponse())
    middleware.process_request(request)
    html = Template('<script nonce="{{ CSP_NONCE }}">start()</script>').render(
        RequestContext(request)
    )
    response = middleware.process_response(request, HttpResponse(html))
    nonce = re.search(r'nonce="([^"]+)"', html).group(1)
    assert f"script-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def admin_scripts(html):
    return re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)


def test_the_admin_sign_in_works_under_the_policy(client):
    response = client.get("/admin/login/")
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert "Content-Security-Policy" in response
    for attributes, body in admin_scripts(html):
        assert re.search(r'src="/(static|admin)/', attributes) and not body.strip()


def test_an_admin_change_form_renders_with_only_same_origin_scripts(
    client, django_user_model, reader
):
    curator = django_user_model.objects.create_superuser("curator", "c@example.com", "x")
    client.force_login(curator)
    response = client.get(f"/admin/auth/user/{reader.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="reader"' in html
    scripts = admin_scripts(html)
    assert scripts, "the change form loads the admin's scripts"
    for attributes, body in scripts:
        assert re.search(r'src="/(static|admin)/', attributes), attributes
        assert not body.strip()
    assert "<style" not in html


def header(headers, name):
    return [value for key, value in headers if key.lower() == name.lower()]


def test_production_sends_hsts_for_two_years_with_preload(production_site):
    server, _ = production_site
    _, headers, _ = request(server.port, "GET", "/")
    assert header(headers, "Strict-Transport-Security") == [
        "max-age=63072000; includeSubDomains; preload"
    ]


def test_production_cookies_are_secure_httponly_and_lax(production_site):
    server, _ = production_site
    _, headers, html = request(server.port, "GET", "/admin/login/")
    (csrf_cookie,) = header(headers, "Set-Cookie")
    assert "; Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    _, headers, _ = request(
        server.port,
        "POST",
        "/admin/login/",
        headers={
            "Cookie": csrf_cookie.split(";")[0],
            "Referer": "https://sadlist.example/admin/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=f"csrfmiddlewaretoken={token}&username=curator&password=Tearful-pass-42",
    )
    (session_cookie,) = [c for c in header(headers, "Set-Cookie") if c.startswith("sessionid=")]
    for flag in ("; Secure", "; HttpOnly", "SameSite=Lax"):
        assert flag in session_cookie


def test_production_redirects_plain_http_but_not_the_health_checks(production_site):
    server, _ = production_site
    status, headers, _ = request(server.port, "GET", "/themes/grief/", https=False)
    assert (status, header(headers, "Location")) == (301, ["https://sadlist.example/themes/grief/"])
    for probe in ("/healthz", "/readyz"):
        status, _, body = request(server.port, "GET", probe, https=False)
        assert status == 200 and body in ("ok\n", "ready\n")
