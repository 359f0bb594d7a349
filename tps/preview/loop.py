"""``invoke serve``: build the site once, serve it, and apply every saved
change to the site held in memory; browsers reload when it is done."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import watchfiles

from tps.core.paths import CONTENT, ROOT, SETTINGS

from .server import PreviewServer
from .site import PREVIEW, PreviewSite

THEME = ROOT / "theme"
CODE = ROOT / "tps"


def serve(
    site: str = "public",
    port: int = 8000,
    *,
    content: Path = CONTENT,
    output_root: Path = PREVIEW,
    search: bool = True,
    stop: threading.Event | None = None,
) -> None:
    preview = PreviewSite(site, content=content, output_root=output_root, search=search)
    try:
        report(preview.build())
    except Exception as error:  # serve what there is; the next save retries
        print(f"preview not built: {error}", flush=True)
    server = PreviewServer(preview.output, port).start()
    checker = Checker(Path(content))
    checker.run()
    print(
        f"Previewing the {site} site with drafts on http://127.0.0.1:{port}/"
        " (Ctrl+C stops)",
        flush=True,
    )
    watched = [Path(content), THEME, CODE, *SETTINGS.values()]
    try:
        for changes in watchfiles.watch(
            *watched, debounce=400, step=20, stop_event=stop
        ):
            paths = sorted({Path(path) for _, path in changes})
            if any(path.suffix == ".py" for path in paths):
                restart()  # new plugin code: a new process imports it
            try:
                report(preview.update(paths))
            except Exception as error:  # keep serving the last good preview
                print(f"preview not updated: {error}", flush=True)
                continue
            server.browsers.reload()
            checker.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        preview.close()
        checker.stop()


def report(result) -> None:
    print(
        f"{result.kind}: {result.pages} page(s) written in {result.seconds:.2f} s",
        flush=True,
    )


def restart() -> None:
    print("plugin code changed: restarting the preview", flush=True)
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


class Checker:
    """``invoke check``'s validation in a process of its own after each
    round: its problems are printed, and the page an editor waits for is not
    held up by checking 2,000 other files."""

    def __init__(self, content: Path):
        self.content = content
        self.process: subprocess.Popen | None = None

    def run(self) -> None:
        self.stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tps.preview.check", str(self.content)],
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


def wait_for(url: str, text: str, timeout: float = 60.0) -> float:
    """Seconds until the page at ``url`` contains ``text`` (for the benchmark)."""
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if text in httpx.get(url, timeout=5).text:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    raise TimeoutError(f"{url} did not show {text!r} within {timeout:.0f} s")
