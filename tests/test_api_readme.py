"""
The README's curl examples, run as written against a live server: reading titles,
making a token as a member, and rating with it.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from reviews.models import Rating

from .factories import make_theme, make_title

README = Path(settings.BASE_DIR) / "README.md"


def readme_example():
    text = README.read_text()
    section = text.split("## The JSON API, feeds and sitemap", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


@pytest.mark.django_db(transaction=True)
def test_the_readme_examples_read_make_a_token_and_rate(live_server, reader, password, tmp_path):
    grief = make_theme("Grief", slug="grief")
    grave = make_title("Grave of the Fireflies", slug="grave-of-the-fireflies", themes=[grief])
    script = readme_example().replace("SADLIST=http://127.0.0.1:8000", f"SADLIST={live_server.url}")
    script = "set -eu\n" + script + '\necho "TOKEN=$TOKEN"\n'
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={**os.environ, "SADLIST_USER": "reader", "SADLIST_PASSWORD": password},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.replace('": ', '":').replace(', "', ',"')  # with or without spaces
    assert '"slug":"grave-of-the-fireflies"' in out  # the read
    assert re.search(r"TOKEN=sadlist_\S{20,}", out)  # the token
    assert '"tears":5,"tear_level":"Cried a river"' in out  # the rating
    assert '"leading":"devastating"' in out  # the title, spoilers asked for
    rating = Rating.objects.get(user=reader, title=grave)
    assert (rating.tears, rating.quality, rating.ending) == (5, 5, "devastating")
