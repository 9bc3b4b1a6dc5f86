"""
Every public page, a static file and an uploaded file score A+ (100 or more) under the
MDN HTTP Observatory's rules, served by gunicorn with the production settings.

The site runs behind a TLS-terminating load balancer, so requests carry
X-Forwarded-Proto: https as the balancer's would; the plain-HTTP probe of the site's
root (the Observatory's redirection test) is sent without it.
"""

import json
import re

import pytest

from .observatory import Scan, score
from .servers import HOST, request


def sign_in_cookies(port):
    """Set-Cookie headers of a curator signing in: the CSRF cookie, then the session."""
    status, headers, html = request(port, "GET", "/admin/login/")
    cookies = [value for name, value in headers if name.lower() == "set-cookie"]
    csrf_cookie = cookies[0].split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    status, headers, _ = request(
        port,
        "POST",
        "/admin/login/?next=/admin/",
        headers={
            "Cookie": csrf_cookie,
            "Referer": f"https://{HOST}/admin/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=f"csrfmiddlewaretoken={token}&username=curator&password=Tearful-pass-42",
    )
    assert status == 302, "the curator could not sign in"
    cookies += [value for name, value in headers if name.lower() == "set-cookie"]
    return cookies


@pytest.fixture(scope="module")
def scans(production_site):
    server, folder = production_site
    manifest = json.loads((folder / "static" / "staticfiles.json").read_text())
    cover = next(p for p in (folder / "media" / "covers").iterdir() if p.is_file()).name
    # The Observatory probes http://host/ once for the whole site.
    status, headers, _ = request(server.port, "GET", "/", https=False)
    http_redirects = (
        [v for k, v in headers if k.lower() == "location"] if status in (301, 302, 307, 308) else []
    )
    pages = {
        "home": "/",
        "title page": "/titles/grave-of-the-fireflies/",
        "theme page": "/themes/grief/",
        "page not found": "/titles/no-such-anime/",
        "sign in": "/account/signin/",
        "sign up": "/account/signup/",
        "member profile": "/members/curator/",
        "health check": "/healthz",
        "static file": f"/static/{manifest['paths']['css/site.css']}",
        "media file": f"/media/covers/{cover}",
        "admin sign-in": "/admin/login/",
    }
    result = {}
    for name, path in pages.items():
        status, headers, body = request(server.port, "GET", path)
        cookies = [v for k, v in headers if k.lower() == "set-cookie"]
        if name == "admin sign-in":
            cookies = sign_in_cookies(server.port)
        result[name] = (
            status,
            Scan(
                url=f"https://{HOST}{path}",
                headers=headers,
                body=body,
                http_redirects=http_redirects,
                cookies=cookies,
            ),
        )
    return result


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "title page",
        "theme page",
        "page not found",
        "sign in",
        "sign up",
        "member profile",
        "health check",
        "static file",
        "media file",
        "admin sign-in",
    ],
)
def test_every_public_response_scores_a_plus(scans, page):
    status, scan = scans[page]
    assert status == (404 if page == "page not found" else 200)
    total, letter, results = score(scan)
    report = "\n".join(
        f"{test}: {result} ({modifier:+d})" for test, (result, modifier) in results.items()
    )
    assert total >= 100, f"{page} scores {total} ({letter}):\n{report}"
    assert letter == "A+"


def test_plain_http_is_redirected_to_https_on_the_same_host(scans):
    assert scans["home"][1].http_redirects == [f"https://{HOST}/"]


def test_signing_in_sets_secure_httponly_samesite_cookies(scans):
    _, scan = scans["admin sign-in"]
    names = {cookie.split("=", 1)[0] for cookie in scan.cookies}
    # sadlist_wrote: the member's own writes are shown to them at once (sadlist.freshness).
    assert names == {"csrftoken", "sessionid", "sadlist_wrote"}
    assert score(scan)[2]["cookies"] == ("cookies-secure-with-httponly-sessions-and-samesite", 5)


def test_the_scorer_fails_a_response_without_a_content_security_policy(scans):
    _, scan = scans["home"]
    without_csp = Scan(
        url=scan.url,
        body=scan.body,
        http_redirects=scan.http_redirects,
        headers=[(k, v) for k, v in scan.headers if k.lower() != "content-security-policy"],
    )
    total, letter, results = score(without_csp)
    assert results["content_security_policy"] == ("csp-not-implemented", -25)
    # Without CSP, frame-ancestors goes too; X-Frame-Options: DENY still protects.
    assert results["x_frame_options"] == ("x-frame-options-sameorigin-or-deny", 0)
    assert total == 75 and letter == "B"


@pytest.mark.parametrize(
    ("headers", "test", "expected"),
    [
        (
            [("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'")],
            "content_security_policy",
            ("csp-implemented-with-unsafe-inline", -20),
        ),
        (
            [("Content-Security-Policy", "default-src 'none'; form-action 'self'")],
            "content_security_policy",
            ("csp-implemented-with-no-unsafe-default-src-none", 10),
        ),
        (
            [
                (
                    "Content-Security-Policy",
                    "default-src 'self'; script-src 'nonce-abc' 'unsafe-inline'; object-src 'none'",
                )
            ],
            "content_security_policy",
            ("csp-implemented-with-no-unsafe", 5),
        ),
        (
            [("Strict-Transport-Security", "max-age=86400")],
            "strict_transport_security",
            ("hsts-implemented-max-age-less-than-six-months", -10),
        ),
        ([], "strict_transport_security", ("hsts-not-implemented", -20)),
        ([("Referrer-Policy", "unsafe-url")], "referrer_policy", ("referrer-policy-unsafe", -5)),
        ([], "x_frame_options", ("x-frame-options-not-implemented", -20)),
        ([], "x_content_type_options", ("x-content-type-options-not-implemented", -5)),
        (
            [
                ("Access-Control-Allow-Origin", "https://evil.example"),
                ("Access-Control-Allow-Credentials", "true"),
            ],
            "cross_origin_resource_sharing",
            ("cross-origin-resource-sharing-implemented-with-universal-access", -50),
        ),
    ],
)
def test_the_scorer_applies_the_observatory_modifiers(headers, test, expected):
    scan = Scan(url=f"https://{HOST}/", headers=headers, http_redirects=[f"https://{HOST}/"])
    assert score(scan)[2][test] == expected


def test_the_scorer_judges_cookies_and_redirection():
    plain = Scan(
        url=f"https://{HOST}/",
        headers=[],
        http_redirects=[],
        cookies=["sessionid=abc; Path=/; SameSite=Lax"],
    )
    results = score(plain)[2]
    assert results["cookies"] == ("cookies-session-without-secure-flag", -40)
    assert results["redirection"] == ("redirection-missing", -20)
    hidden = Scan(
        url=f"https://{HOST}/",
        headers=[],
        body='<script src="https://cdn.example/x.js">',
        http_redirects=[f"https://{HOST}/"],
    )
    hidden.headers.append(("Content-Type", "text/html; charset=utf-8"))
    assert score(hidden)[2]["subresource_integrity"] == (
        "sri-not-implemented-but-external-scripts-loaded-securely",
        -5,
    )


def test_caches_are_told_what_they_may_keep_in_production(scans):
    def header(name, page):
        return dict((k.lower(), v) for k, v in scans[page][1].headers).get(name.lower(), "")

    assert "immutable" in header("Cache-Control", "static file"), "hashed names never change"
    assert header("Cache-Control", "home").startswith("public, max-age=0, s-maxage=")
    assert header("X-Accel-Expires", "home").isdigit()
    for page in ("sign in", "sign up", "member profile"):
        assert "private" in header("Cache-Control", page), page
