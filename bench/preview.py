"""The editor's loop (issue #16), timed as an editor meets it: ``invoke
serve``'s process on the corpus, a file saved, and the time until the served
page shows the change (HTTP polled every 10 ms).

- edit: three edits to a post's first paragraph, until its page shows each;
- new post: a new post, until its blog's first page lists it;
- peak memory of the preview process (VmHWM).

Search indexing is off (``--no-search``): it runs after the edits pause, and
is never what the editor waits for.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tps.preview.loop import wait_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def edit_first_paragraph(post: Path, words: str) -> str:
    """Prepend ``words`` to the post's first paragraph; the URL path of its page."""
    head, body = post.read_text(encoding="utf-8").split("\n\n", 1)
    post.write_text(f"{head}\n\n{words} {body}", encoding="utf-8")
    return f"blogs/{post.parent.name}/{post.stem}/"


def run(content: Path, work: Path, posts: list[Path]) -> dict:
    blog = posts[0].parent
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    process = subprocess.Popen(
        [sys.executable, "-m", "tps.preview", "--content", str(content),
         "--output", str(work / "preview"), "--port", str(port), "--no-search"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        started = time.perf_counter()
        wait_for(base, "</html>", timeout=600)
        first = time.perf_counter() - started
        edits = []
        for number, post in enumerate(posts[:3]):
            time.sleep(1.0)  # an editor between two saves
            words = f"Benchmark edit {number} of the first paragraph."
            page = edit_first_paragraph(post, words)
            edits.append(wait_for(base + page, words))
        time.sleep(1.0)
        new = blog / "zz-benchmark-new-post.md"
        new.write_text(
            "Title: A new post from the benchmark\nDate: 2030-01-01 09:00\n"
            "Author: Benchmark\nSummary: Written while the preview runs.\n\n"
            "The body of the new post.\n",
            encoding="utf-8",
        )
        new_post = wait_for(
            base + f"blogs/{blog.name}/", "A new post from the benchmark"
        )
        peak = _peak_mib(process.pid)
    finally:
        process.terminate()
        process.wait(30)
        (blog / "zz-benchmark-new-post.md").unlink(missing_ok=True)
    return {
        "first_build": first,
        "edits": edits,
        "edit": statistics.median(edits),
        "new_post": new_post,
        "peak_mib": peak,
    }
