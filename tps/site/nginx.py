"""A real nginx on a loopback port serving a built site, as the web hosts do."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tps.core.paths import ROOT

CONFIG = """
{user}
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {run}/access.log;
    client_body_temp_path {run}/body; proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi; uwsgi_temp_path {run}/uwsgi; scgi_temp_path {run}/scgi;
{server}
}}
"""
PLAIN_SERVER = """
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        error_page 404 /404.html;
        location / {{ try_files $uri $uri/ =404; }}
    }}
"""
DEPLOY = ROOT / "deploy" / "nginx"


def shipped_server(
    config: str, port: int, srv: Path, run: Path, htpasswd: Path | None = None
) -> str:
    """The TLS server block of a shipped config, as is, but on a loopback port
    without TLS and with the temp paths: the rules under test are the shipped ones."""
    snippets = run / "snippets"
    snippets.mkdir(parents=True, exist_ok=True)
    for path in (DEPLOY / "snippets").glob("*.conf"):
        (snippets / path.name).write_text(
            path.read_text().replace("/etc/nginx/snippets/", f"{snippets}/")
        )
    text = (DEPLOY / config).read_text()
    block = text[text.rindex("server {") :]
    lines = []
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("listen "):
            if "[::]" not in stripped:
                lines.append(f"    listen 127.0.0.1:{port};")
            continue
        if stripped.startswith("ssl_"):
            continue
        lines.append(line)
    rendered = (
        "\n".join(lines)
        .replace("/etc/nginx/snippets/", f"{snippets}/")
        .replace("/srv/tps", str(srv))
    )
    if htpasswd:
        rendered = rendered.replace("/etc/nginx/tps-intranet.htpasswd", str(htpasswd))
    return rendered.replace("{", "{{").replace("}", "}}")


def write_htpasswd(path: Path, user: str, password: str) -> Path:
    """An htpasswd file for auth_basic (apr1 hash by openssl: no apache2-utils),
    readable by nginx workers that run as another user."""
    hashed = subprocess.run(
        ["openssl", "passwd", "-apr1", "-stdin"],
        input=password,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    path.write_text(f"{user}:{hashed}\n")
    path.chmod(0o644)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Nginx:
    def __init__(
        self,
        root: Path | None,
        run_dir: Path,
        server: str | None = None,
        port: int | None = None,
    ):
        """Serve ``root`` with a plain config, or run the given server block."""
        self.root, self.run = root, Path(run_dir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = server or PLAIN_SERVER

    def __enter__(self) -> Nginx:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.run.mkdir(parents=True, exist_ok=True)
        # Workers run as nobody; pytest's tmp folders are 0700, so run them as root.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = self.run / "nginx.conf"
        server = self.server.format(port=self.port, root=self.root)
        conf.write_text(CONFIG.format(user=user, run=self.run, server=server))
        subprocess.run(
            [
                binary,
                "-p",
                str(self.run),
                "-e",
                str(self.run / "error.log"),
                "-c",
                str(conf),
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=1)
                return self
            except urllib.error.HTTPError:
                return self  # answering (e.g. 401 on the intranet)
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(
            f"nginx did not start: {(self.run / 'error.log').read_text()}"
        )

    def __exit__(self, *exc) -> None:
        pid = self.run / "nginx.pid"
        if pid.exists():
            subprocess.run(["kill", "-QUIT", pid.read_text().strip()], check=False)
