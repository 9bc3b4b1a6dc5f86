"""The benchmark's rating POSTs and member session are ones the real site accepts."""

from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from reviews.models import Rating
from reviews.stats import recount_all

from .conftest import bench_script

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepare(small_demo):
    """bench/prepare.py, on a small seeded database."""
    return bench_script("prepare")


def browser_with(cookie_header):
    """A browser that checks CSRF like a real one, holding the cookies of `cookie_header`."""
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = SimpleCookie(cookie_header.replace("; ", ";"))
    return browser


def test_planned_rating_posts_are_accepted_and_counted(prepare, tmp_path):
    plan = prepare.plan(tmp_path)
    lines = (tmp_path / "rate.tsv").read_text().splitlines()
    assert len(lines) == prepare.PLANNED_POSTS
    assert len({line.split("\t")[1] for line in lines}) == 30, "POSTs spread over members"

    path, cookie, body = lines[0].split("\t")
    form = dict(parse_qsl(body))
    browser = browser_with(cookie)
    member_id = int(browser.session[SESSION_KEY])
    response = browser.post(path, form)
    assert response.status_code == 302
    rating = Rating.objects.get(user_id=member_id, title__slug=path.split("/")[2])
    assert rating.tears == int(form["tears"])
    assert rating.user.email.endswith("@demo.invalid")
    assert recount_all() == []
    assert plan["popular_slug"] != plan["median_slug"]


def test_a_post_without_the_planned_token_is_refused(prepare, tmp_path):
    prepare.plan(tmp_path)
    path, cookie, body = (tmp_path / "rate.tsv").read_text().splitlines()[0].split("\t")
    before = Rating.objects.count()
    response = browser_with(cookie).post(path, {"tears": "5"})
    assert response.status_code == 403
    assert Rating.objects.count() == before


def test_the_member_cookie_is_signed_in(prepare, tmp_path):
    plan = prepare.plan(tmp_path)
    html = browser_with(plan["member_cookie"]).get("/").content.decode()
    assert f">{plan['member_username']}</a>" in html
    assert "Sign out" in html


def test_every_page_the_benchmark_loads_is_one_the_site_takes_as_asked(prepare, tmp_path):
    """A typo in a benchmark URL would measure some other page (say, the default sort)."""
    plan = prepare.plan(tmp_path)
    pages = {path for _, method, path, _, _ in bench_script("run").PAGES if method == "GET"}
    for path in pages:
        url = path.format(popular=plan["popular_slug"], median=plan["median_slug"])
        response = Client().get(url)
        assert response.status_code == 200, url
        if "page=" not in url:  # a small seed has no page 200; the full scale has 418
            assert "We could not use all of your request" not in response.content.decode(), url
