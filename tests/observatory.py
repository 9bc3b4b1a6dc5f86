"""
The MDN HTTP Observatory's scoring rules, applied to one response.

A port of the rules (not the code) of the current Observatory ("v2"): every site starts
at 100, penalties are taken off, and only a score still at 90 or more earns the bonuses.
100 or more is an A+. Each test below returns (result name, modifier) with the names and
modifiers of the Observatory's score table, so a failing assertion reads like its report.

Two results need the outside world and are deliberately never awarded here: "HSTS
preloaded" (+5, needs the browsers' preload list) and CORS probing beyond the headers.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
SIX_MONTHS = 15768000

DANGEROUSLY_BROAD = {
    "ftp:",
    "http:",
    "https:",
    "*",
    "http://*",
    "http://*.*",
    "https://*",
    "https://*.*",
}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
NONCES_AND_HASHES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
PRIVATE_REFERRER = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE_REFERRER = {"origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"}
COOP_VALUES = {"same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"}


@dataclass
class Scan:
    """What the scanner saw: the HTTPS response, and where plain HTTP sent it."""

    url: str
    headers: list  # (name, value) pairs as sent, repeated names kept
    body: str = ""
    # Location headers followed from http://host/path; [] if HTTP answered without
    # redirecting, None if nothing answered on plain HTTP.
    http_redirects: list | None = None
    cookies: list = field(default_factory=list)  # every Set-Cookie seen while scanning

    def header(self, name):
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def is_html(self):
        return any("text/html" in value for value in self.header("Content-Type"))


def parse_csp(values):
    """{directive: set of sources}; a repeated directive is ignored, as browsers do."""
    policy = {}
    for value in values:
        for directive in value.replace(",", ";").split(";"):
            name, *sources = directive.split() or [""]
            if name and name.lower() not in policy:
                policy[name.lower()] = {
                    s if s.startswith(NONCES_AND_HASHES) else s.lower() for s in sources
                }
    return policy


def content_security_policy(scan):
    values = scan.header("Content-Security-Policy")
    if not values:
        return "csp-not-implemented", -25
    csp = parse_csp(values)
    if not csp:
        return "csp-header-invalid", -25
    default = csp.get("default-src")
    script = set(csp.get("script-src") or default or {"*"})
    style = set(csp.get("style-src") or default or {"*"})
    objects = csp.get("object-src") or default or {"*"}
    for sources in (script, style):
        if any(s.startswith(NONCES_AND_HASHES) for s in sources):
            sources.discard("'unsafe-inline'")
    if script & (DANGEROUSLY_BROAD | UNSAFE_INLINE) or objects & DANGEROUSLY_BROAD:
        return "csp-implemented-with-unsafe-inline", -20
    active = {
        s for name, sources in csp.items() if name not in {"img-src", "media-src"} for s in sources
    }
    if any(s.startswith(("http:", "ftp:")) for s in active):
        return "csp-implemented-with-insecure-scheme", -20
    if "'unsafe-eval'" in script | style:
        return "csp-implemented-with-unsafe-eval", -10
    passive = (csp.get("img-src") or default or set()) | (csp.get("media-src") or default or set())
    if any(s.startswith(("http:", "ftp:")) for s in passive):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only", -10
    if style & (DANGEROUSLY_BROAD | UNSAFE_INLINE):
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    if default == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    return "csp-implemented-with-no-unsafe", 5


def parse_cookie(set_cookie):
    name = set_cookie.split("=", 1)[0].strip()
    attributes = {}
    for part in set_cookie.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attributes[key.strip().lower()] = value.strip()
    return name, attributes


def cookies(scan):
    if not scan.cookies:
        return "cookies-not-found", 0
    hsts = strict_transport_security(scan)[1] == 0
    # Worst first, as the Observatory keeps only the worst finding.
    ranking = [
        ("cookies-session-without-secure-flag", -40),
        ("cookies-session-without-httponly-flag", -30),
        ("cookies-anticsrf-without-samesite-flag", -20),
        ("cookies-samesite-flag-invalid", -20),
        ("cookies-session-without-secure-flag-but-protected-by-hsts", -10),
        ("cookies-without-secure-flag", -20),
        ("cookies-without-secure-flag-but-protected-by-hsts", -5),
    ]
    found = set()
    missing_samesite = False
    for set_cookie in scan.cookies:
        name, attributes = parse_cookie(set_cookie)
        session = any(word in name.lower() for word in ("login", "sess"))
        secure = "secure" in attributes
        samesite = attributes.get("samesite")
        if samesite is not None and samesite.lower() not in {"lax", "strict", "none"}:
            found.add("cookies-samesite-flag-invalid")
        if samesite and samesite.lower() == "none" and not secure:
            found.add("cookies-samesite-flag-invalid")
        if not secure:
            found.add(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-without-secure-flag"
            )
        if "csrf" in name.lower() and not samesite:
            found.add("cookies-anticsrf-without-samesite-flag")
        if session and not secure:
            found.add(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-session-without-secure-flag"
            )
        if session and "httponly" not in attributes:
            found.add("cookies-session-without-httponly-flag")
        missing_samesite = missing_samesite or not samesite
    for result in ranking:
        if result[0] in found:
            return result
    if missing_samesite:
        return "cookies-secure-with-httponly-sessions", 0
    return "cookies-secure-with-httponly-sessions-and-samesite", 5


def cross_origin_resource_sharing(scan):
    allowed = scan.header("Access-Control-Allow-Origin")
    if not allowed:
        return "cross-origin-resource-sharing-not-implemented", 0
    credentials = any(
        v.strip().lower() == "true" for v in scan.header("Access-Control-Allow-Credentials")
    )
    if allowed[0].strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access", 0
    if credentials:
        return "cross-origin-resource-sharing-implemented-with-universal-access", -50
    return "cross-origin-resource-sharing-implemented-with-restricted-access", 0


def redirection(scan):
    if scan.http_redirects is None:
        return "redirection-not-needed-no-http", 0
    if not scan.http_redirects:
        return "redirection-missing", -20
    host = urlsplit(scan.url).hostname
    first, last = urlsplit(scan.http_redirects[0]), urlsplit(scan.http_redirects[-1])
    if last.scheme != "https":
        return "redirection-not-to-https", -20
    if first.scheme != "https":
        return "redirection-not-to-https-on-initial-redirection", -10
    if first.hostname != host:
        return "redirection-off-host-from-http", -5
    return "redirection-to-https", 0


def referrer_policy(scan):
    values = scan.header("Referrer-Policy")
    if not values:
        return "referrer-policy-not-implemented", 0
    # The last policy a browser understands wins.
    tokens = [t.strip().lower() for v in values for t in v.split(",") if t.strip()]
    known = [t for t in tokens if t in PRIVATE_REFERRER | UNSAFE_REFERRER]
    if not known:
        return "referrer-policy-header-invalid", -5
    if known[-1] in PRIVATE_REFERRER:
        return "referrer-policy-private", 5
    return "referrer-policy-unsafe", -5


def strict_transport_security(scan):
    if urlsplit(scan.url).scheme != "https":
        return "hsts-not-implemented-no-https", -20
    values = scan.header("Strict-Transport-Security")
    if not values:
        return "hsts-not-implemented", -20
    match = re.search(r"(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:;|$)", values[0], re.I)
    if not match:
        return "hsts-header-invalid", -20
    if int(match.group(1)) < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months", -10
    return "hsts-implemented-max-age-at-least-six-months", 0


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def subresource_integrity(scan):
    if not scan.is_html:
        return "sri-not-implemented-response-not-html", 0
    parser = _Scripts()
    parser.feed(scan.body)
    sources = [s for s in parser.scripts if s.get("src")]
    if not sources:
        return "sri-not-implemented-but-no-scripts-loaded", 0
    host = urlsplit(scan.url).hostname
    external = [s for s in sources if urlsplit(s["src"]).hostname not in (None, host)]
    insecure = [s for s in external if not s["src"].startswith("https:")]
    with_integrity = (
        all(s.get("integrity") for s in external)
        if external
        else all(s.get("integrity") for s in sources)
    )
    if insecure:
        return (
            ("sri-implemented-but-external-scripts-not-loaded-securely", -20)
            if (with_integrity)
            else ("sri-not-implemented-and-external-scripts-not-loaded-securely", -50)
        )
    if external:
        return (
            ("sri-implemented-and-external-scripts-loaded-securely", 5)
            if (with_integrity)
            else ("sri-not-implemented-but-external-scripts-loaded-securely", -5)
        )
    if with_integrity:
        return "sri-implemented-and-all-scripts-loaded-securely", 5
    return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0


def x_content_type_options(scan):
    values = scan.header("X-Content-Type-Options")
    if not values:
        return "x-content-type-options-not-implemented", -5
    if values[0].strip().lower() == "nosniff":
        return "x-content-type-options-nosniff", 0
    return "x-content-type-options-header-invalid", -5


def x_frame_options(scan):
    ancestors = parse_csp(scan.header("Content-Security-Policy")).get("frame-ancestors")
    if ancestors and not ancestors & DANGEROUSLY_BROAD:
        return "x-frame-options-implemented-via-csp", 5
    values = scan.header("X-Frame-Options")
    if not values:
        return "x-frame-options-not-implemented", -20
    value = values[0].strip().lower()
    if value in {"deny", "sameorigin"}:
        return "x-frame-options-sameorigin-or-deny", 0
    if value.startswith("allow-from "):
        return "x-frame-options-allow-from-origin", 0
    return "x-frame-options-header-invalid", -20


def cross_origin_resource_policy(scan):
    values = scan.header("Cross-Origin-Resource-Policy")
    if not values:
        return "corp-not-implemented", 0
    value = values[0].strip().lower()
    if value in {"same-origin", "same-site"}:
        return f"corp-implemented-with-{value}", 10
    if value == "cross-origin":
        return "corp-implemented-with-cross-origin", 0
    return "corp-header-invalid", -5


def cross_origin_opener_policy(scan):
    values = scan.header("Cross-Origin-Opener-Policy")
    if not values:
        return "coop-not-implemented", 0
    if len(values) == 1 and values[0].split(";")[0].strip() in COOP_VALUES:
        return f"coop-implemented-with-{values[0].split(';')[0].strip()}", 0
    return "coop-header-invalid", -5


TESTS = [
    content_security_policy,
    cookies,
    cross_origin_resource_sharing,
    redirection,
    referrer_policy,
    strict_transport_security,
    subresource_integrity,
    x_content_type_options,
    x_frame_options,
    cross_origin_resource_policy,
    cross_origin_opener_policy,
]


def score(scan):
    """(score, grade, {test name: (result, modifier)}) for one scanned response."""
    results = {test.__name__: test(scan) for test in TESTS}
    modifiers = [modifier for _, modifier in results.values()]
    total = 100 + sum(m for m in modifiers if m < 0)
    if total >= MINIMUM_SCORE_FOR_EXTRA_CREDIT:
        total += sum(m for m in modifiers if m > 0)
    total = max(total, 0)
    return total, grade(total), results


def grade(total):
    for floor, letter in [
        (100, "A+"),
        (90, "A"),
        (85, "A-"),
        (80, "B+"),
        (70, "B"),
        (65, "B-"),
        (60, "C+"),
        (50, "C"),
        (45, "C-"),
        (40, "D+"),
        (30, "D"),
        (25, "D-"),
    ]:
        if total >= floor:
            return letter
    return "F"
