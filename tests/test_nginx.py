"""
nginx in front of the app servers (deploy/nginx.conf): the template that
bench/multiserver.py fills in is one nginx accepts, and without nginx the script stops
at once with one line saying how to install it. The cache, slow clients and the body
cap are checked end to end by bench/multiserver.py itself.
"""

import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest

from bench import cluster, multiserver


def test_it_stops_with_one_line_when_nginx_is_missing(tmp_path, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the script went on without nginx")

    monkeypatch.setattr(multiserver, "find_nginx", lambda: cluster.find_nginx(str(tmp_path)))
    monkeypatch.setattr(multiserver, "ensure_running", never)
    monkeypatch.setattr(sys, "argv", ["bench/multiserver.py"])
    with pytest.raises(SystemExit) as stopped:
        multiserver.main()
    assert stopped.value.code == "nginx is not installed: apt-get install nginx"


def test_it_finds_nginx_where_debian_installs_it_even_off_path(monkeypatch):
    if not shutil.which("nginx", path="/usr/sbin"):
        pytest.skip("nginx is not installed in /usr/sbin")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert cluster.find_nginx() == "/usr/sbin/nginx"


def test_the_filled_in_template_is_a_configuration_nginx_accepts(tmp_path):
    binary = shutil.which("nginx", path=f"{os.environ['PATH']}:/usr/sbin")
    if not binary or not shutil.which("openssl"):
        pytest.skip("nginx or openssl is not installed")
    servers = [SimpleNamespace(port=8001), SimpleNamespace(port=8002)]
    nginx = cluster.Nginx(binary, servers, tmp_path / "nginx")
    nginx.write_config()
    site = (tmp_path / "nginx" / "sadlist.conf").read_text()
    assert "server 127.0.0.1:8001" in site and "server 127.0.0.1:8002" in site
    assert "client_max_body_size 6m;" in site
    tested = subprocess.run(
        [*nginx.command(), "-t"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert tested.returncode == 0, tested.stderr
