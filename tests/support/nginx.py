"""A real nginx on a loopback port serving a built site, as the web hosts do."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

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
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        error_page 404 /404.html;
        location / {{ try_files $uri $uri/ =404; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Nginx:
    def __init__(self, root: Path, run_dir: Path):
        self.root, self.run = Path(root), Path(run_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Nginx:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.run.mkdir(parents=True, exist_ok=True)
        # Workers run as nobody; pytest's tmp folders are 0700, so run them as root.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = self.run / "nginx.conf"
        conf.write_text(
            CONFIG.format(user=user, run=self.run, port=self.port, root=self.root)
        )
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
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(
            f"nginx did not start: {(self.run / 'error.log').read_text()}"
        )

    def __exit__(self, *exc) -> None:
        pid = self.run / "nginx.pid"
        if pid.exists():
            subprocess.run(["kill", "-QUIT", pid.read_text().strip()], check=False)
