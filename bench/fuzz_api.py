"""
Schemathesis against a live app server: every operation in the API's own OpenAPI
document, with examples generated from it, must answer without a server error and
with a response that matches the document. Reads run as a visitor, writes with a
read-write token of a member made for the run. `.ci/run` runs it after the suites.

    .venv/bin/python bench/fuzz_api.py [--examples N]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import AppServer, manage, production_env  # noqa: E402

MAKE_MEMBER = """
from django.contrib.auth import get_user_model
from api.models import AccessToken
member = get_user_model().objects.create_user("fuzzer", "fuzzer@example.com", "Fuzz-pass-42")
print(AccessToken.objects.issue(member, "schemathesis", can_write=True)[1])
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=25, help="examples per operation")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sadlist-fuzz-") as folder:
        folder = Path(folder)
        env = production_env(
            folder,
            SECURE_SSL_REDIRECT="false",
            # The fuzzer sends many requests a minute on purpose, and as many comments.
            API_READS_PER_MINUTE="0",
            API_WRITES_PER_MINUTE="0",
            COMMENTS_PER_MINUTE="100000",
            COMMENTS_PER_DAY="100000",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "load_catalogue")
        token = manage(env, "shell", "-c", MAKE_MEMBER).strip().splitlines()[-1]
        server = AppServer(env, workers=2, log_path=folder / "server.log").start()
        started = time.monotonic()
        try:
            result = subprocess.run(
                [
                    str(Path(sys.executable).with_name("st")),
                    "run",
                    f"http://127.0.0.1:{server.port}/api/v1/openapi.json",
                    "--checks",
                    "not_a_server_error,status_code_conformance,content_type_conformance,"
                    "response_headers_conformance,response_schema_conformance",
                    "--max-examples",
                    str(options.examples),
                    "--header",
                    f"Authorization: Bearer {token}",
                    "--seed",
                    "1",
                    "--no-color",
                ],
                cwd=folder,  # where schemathesis leaves its files
                env=env,
                check=False,
            )
        finally:
            server.stop()
        print(f"schemathesis took {time.monotonic() - started:.0f}s")
        if result.returncode:
            print((folder / "server.log").read_text()[-5000:])
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
