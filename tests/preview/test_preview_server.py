"""`invoke serve` as an editor meets it: a page open in Chromium reloads by
itself after a save (LiveReload over the websocket), and the server answers
while a round runs."""

from __future__ import annotations

import shutil
import socket
import threading
import time

import httpx

from tps.core.paths import CONTENT
from tps.preview.loop import serve, wait_for

POST = "blogs/crime-blog/grandparent-scam-warning.md"
URL = "blogs/crime-blog/grandparent-scam-warning/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_saved_edit_reloads_the_open_page(tmp_path, chromium):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    port, stop = free_port(), threading.Event()
    thread = threading.Thread(
        target=serve,
        args=("public", port),
        kwargs={"content": content, "output_root": tmp_path / "preview",
                "search": False, "stop": stop},
        daemon=True,
    )  # fmt: skip
    thread.start()
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(base + URL, "</html>", timeout=120)
        assert httpx.get(base + "no-such-page/").status_code == 404
        page = chromium.new_page()
        page.goto(base + URL)
        # livereload.js has said hello over the websocket before the save.
        page.wait_for_function(
            "window.LiveReload && window.LiveReload.connector"
            " && window.LiveReload.connector._connectionDesired"
        )
        time.sleep(0.5)
        post = content / POST
        head, body = post.read_text(encoding="utf-8").split("\n\n", 1)
        post.write_text(
            f"{head}\n\nSaved while the page was open. {body}", encoding="utf-8"
        )
        page.wait_for_selector("text=Saved while the page was open.", timeout=30_000)
        # The files are as a build writes them: the script is added when served.
        served = (tmp_path / "preview/public" / URL / "index.html").read_text()
        assert "livereload.js" not in served
        page.close()
    finally:
        stop.set()
        thread.join(30)
