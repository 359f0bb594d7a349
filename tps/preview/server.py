"""The preview's web server: the output folder as nginx would serve it, a
``livereload.js`` script added to every HTML page, and the LiveReload
protocol over a websocket, so a browser reloads when a round is done.

Requests are answered on the server's own thread while rounds run on
another: a rebuild never holds a request up.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
import threading
from pathlib import Path

import livereload
from tornado import ioloop, web, websocket

LIVERELOAD_JS = Path(livereload.__file__).parent / "vendors" / "livereload.js"
PROTOCOL = "http://livereload.com/protocols/official-7"


class Browsers:
    """The pages open in a browser, told to reload after each round."""

    def __init__(self) -> None:
        self.sockets: set[LiveReloadSocket] = set()
        self.loop: ioloop.IOLoop | None = None

    def reload(self, path: str = "*") -> None:
        """Thread-safe: from the round's thread."""
        if self.loop is not None:
            self.loop.add_callback(self._send, path)

    def _send(self, path: str) -> None:
        message = {"command": "reload", "path": path, "liveCSS": True}
        for socket in list(self.sockets):
            try:
                socket.write_message(json.dumps(message))
            except websocket.WebSocketClosedError:
                self.sockets.discard(socket)


class LiveReloadSocket(websocket.WebSocketHandler):
    def initialize(self, browsers: Browsers) -> None:
        self.browsers = browsers

    def check_origin(self, origin: str) -> bool:
        return True  # the preview listens on 127.0.0.1 only

    def on_message(self, message) -> None:
        try:
            command = json.loads(message).get("command")
        except (ValueError, AttributeError):
            return
        if command == "hello":
            self.write_message(
                json.dumps(
                    {
                        "command": "hello",
                        "protocols": [PROTOCOL],
                        "serverName": "tps-preview",
                    }
                )
            )
        elif command == "info":
            self.browsers.sockets.add(self)

    def on_close(self) -> None:
        self.browsers.sockets.discard(self)


class LiveReloadScript(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "application/javascript")
        self.write(LIVERELOAD_JS.read_bytes())


class Files(web.RequestHandler):
    """The output folder: a folder's index.html, 404.html for what is not
    there; HTML pages get the reload script (the files themselves do not)."""

    def initialize(self, root: Path, port: int) -> None:
        self.root, self.port = root, port

    def get(self, path: str) -> None:
        found = self._find(path)
        if found is None:
            self.set_status(404)
            found = self.root / "404.html"
            if not found.is_file():
                self.write("Not found")
                return
        if found.is_dir():  # a folder without its slash: as nginx does
            self.redirect("/" + path.rstrip("/") + "/")
            return
        try:
            body = found.read_bytes()
        except OSError:
            raise web.HTTPError(404) from None
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if kind == "text/html":
            body = inject(body, self.port)
            kind += "; charset=utf-8"
        self.set_header("Content-Type", kind)
        self.set_header("Cache-Control", "no-store")
        self.write(body)

    def _find(self, path: str) -> Path | None:
        root = str(self.root)
        candidate = os.path.realpath(os.path.join(root, path.lstrip("/")))
        if os.path.commonpath([root, candidate]) != root:
            return None
        found = Path(candidate)
        if found.is_dir():
            index = found / "index.html"
            if path and not path.endswith("/"):
                return found if index.is_file() else None
            return index if index.is_file() else None
        return found if found.is_file() else None


def inject(body: bytes, port: int) -> bytes:
    script = f'<script src="/livereload.js?port={port}" defer></script>'.encode()
    at = body.rfind(b"</body>")
    return body[:at] + script + body[at:] if at >= 0 else body + script


def make_app(root: Path, port: int, browsers: Browsers) -> web.Application:
    return web.Application(
        [
            (r"/livereload", LiveReloadSocket, {"browsers": browsers}),
            (r"/livereload\.js", LiveReloadScript),
            (r"/(.*)", Files, {"root": Path(root).resolve(), "port": port}),
        ]
    )


class PreviewServer:
    """Serves ``root`` on 127.0.0.1:``port`` from a thread of its own."""

    def __init__(self, root: Path, port: int):
        self.root, self.port = Path(root), port
        self.browsers = Browsers()
        self.ready = threading.Event()
        self.failed: BaseException | None = None
        self.thread = threading.Thread(
            target=asyncio.run, args=(self._serve(),), daemon=True
        )

    def start(self) -> PreviewServer:
        self.thread.start()
        self.ready.wait(10)
        if self.failed is not None:
            raise self.failed
        return self

    async def _serve(self) -> None:
        self.stopping = asyncio.Event()
        try:
            self.browsers.loop = ioloop.IOLoop.current()
            app = make_app(self.root, self.port, self.browsers)
            http = app.listen(self.port, address="127.0.0.1")
        except OSError as error:  # the port is taken
            self.failed = error
            self.ready.set()
            return
        self.ready.set()
        await self.stopping.wait()
        http.stop()

    def stop(self) -> None:
        loop = self.browsers.loop
        if loop is not None and self.failed is None:
            loop.add_callback(self.stopping.set)
        self.thread.join(5)
