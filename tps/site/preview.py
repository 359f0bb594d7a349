"""Local preview for editors: drafts shown (badged), rebuild and reload on save."""

from __future__ import annotations

from tps.core.paths import CONTENT, OUTPUT, ROOT

from .build import build

PREVIEW = OUTPUT / "preview"


def serve(site: str, port: int) -> None:
    from livereload import Server

    def rebuild() -> None:
        try:
            build((site,), output_root=PREVIEW, settings={"PREVIEW_DRAFTS": True})
        except Exception as error:  # keep serving the last good preview
            print(f"preview not rebuilt: {error}")

    rebuild()
    server = Server()
    for folder in (CONTENT, ROOT / "theme", ROOT / "tps"):
        server.watch(str(folder), rebuild, delay=0.5)
    print(
        f"Previewing the {site} site with drafts on http://127.0.0.1:{port}/ (Ctrl+C stops)"
    )
    server.serve(
        host="127.0.0.1", port=port, root=str(PREVIEW / site), open_url_delay=None
    )
