"""
Valid HTML, checked by the Nu HTML Checker (the npm package vnu-jar, run with Java).

Starting the JVM costs seconds, so every page of a test goes to one vnu run: pass
all pages to `assert_valid_html` at once rather than one call per page.
"""

import json
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from .check_tools import VNU_JAR

# A fast-starting JVM: vnu runs once per test and never long enough to need the JIT.
JAVA = ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss8m"]


def validate_html(pages):
    """
    Check every page in `pages` ({name: html}) with one vnu run and return
    {name: [error, ...]}, each error a readable line; valid pages map to [].
    """
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        names_by_file = {}
        for number, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page-{number:03}.html"
            path.write_text(html, encoding="utf-8")
            names_by_file[path.name] = name
        command = [*JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
        finished = subprocess.run(
            [*command, *sorted(str(Path(folder) / file) for file in names_by_file)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    try:
        # vnu writes its report to stderr and exits 1 when it found errors.
        messages = json.loads(finished.stderr)["messages"]
    except (ValueError, KeyError):
        raise RuntimeError(f"vnu gave no JSON report:\n{finished.stderr}") from None
    errors = {name: [] for name in pages}
    for message in messages:
        name = names_by_file.get(Path(urlparse(message.get("url", "")).path).name)
        if name is None:
            raise RuntimeError(f"vnu could not check the pages: {message}")
        errors[name].append(_describe(message, pages[name]))
    return errors


def _describe(message, html):
    line_number = message.get("lastLine")
    where = f"line {line_number}" if line_number else "document"
    text = f"{where}: {message['message']}"
    if line_number:
        source_line = html.splitlines()[line_number - 1].strip()
        text += f"\n      {source_line[:160]}"
    return text


def assert_valid_html(pages):
    """Fail with every error of every invalid page, naming the page and the line."""
    invalid = {name: errors for name, errors in validate_html(pages).items() if errors}
    report = "\n".join(
        f"{name}:\n" + "\n".join(f"  - {error}" for error in errors)
        for name, errors in invalid.items()
    )
    assert not invalid, f"The Nu HTML Checker found errors:\n{report}"
