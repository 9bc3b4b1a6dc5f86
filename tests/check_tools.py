"""
Where the page checkers live, and what to do when one is missing.

The browser (Debian's Chromium), axe-core and the Nu HTML Checker are installed by
`.ci/browser-setup`. On a developer's machine without them the checks skip with one
line saying how to install them; under CI=true they never skip, so a green CI run
always means the pages were really checked.
"""

import os
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = PROJECT_ROOT / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")

BROWSER_INSTALL_HINT = (
    "browser tests skipped: install Chromium with `sudo apt-get install -y chromium` "
    "and run `npm ci`"
)
VNU_INSTALL_HINT = (
    "HTML validation skipped: install Java with `sudo apt-get install -y default-jre-headless` "
    "and run `npm ci`"
)


def in_ci():
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing_browser_tools():
    """The names of what the browser tests need and this machine lacks."""
    missing = [] if CHROMIUM.exists() else [str(CHROMIUM)]
    return missing + ([] if AXE_SCRIPT.exists() else ["node_modules/axe-core"])


def missing_vnu_tools():
    """The names of what the HTML validation needs and this machine lacks."""
    missing = [] if shutil.which("java") else ["java"]
    return missing + ([] if VNU_JAR.exists() else ["node_modules/vnu-jar"])


def require(missing, hint):
    """Skip (or, under CI=true, fail) the current test when a checker is missing."""
    if not missing:
        return
    if in_ci():
        pytest.fail(f"CI=true and {', '.join(missing)} missing; run .ci/browser-setup")
    pytest.skip(hint)
