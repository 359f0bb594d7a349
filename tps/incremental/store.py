"""The traces of the last build's pages, kept in the site's Pelican cache."""

from __future__ import annotations

import hashlib
import pickle
from importlib.metadata import version
from pathlib import Path

from tps.core.files import write_atomic

FORMAT = 1
PACKAGE = Path(__file__).resolve().parents[1]  # tps: every plugin's code


def environment_version(settings: dict) -> str:
    """Everything a render depends on besides what the trace records: the
    template search path and every file on it (the theme's templates, the
    capabilities' own ``tps/<capability>/templates/``, any other folder of
    ``THEME_TEMPLATES_OVERRIDES``), the static files the ``asset`` filter
    fingerprints, the plugins' code and the template engine."""
    hasher = hashlib.blake2b(digest_size=20)
    hasher.update(f"{FORMAT} {version('pelican')} {version('jinja2')}".encode())
    for name in ("JINJA_ENVIRONMENT", "JINJA_FILTERS", "JINJA_GLOBALS", "JINJA_TESTS"):
        hasher.update(repr(sorted(dict(settings.get(name) or {}))).encode())
    # Which folder comes first decides which of two same-named templates wins.
    hasher.update(repr(search_path(settings)).encode())
    for root in hashed_roots(settings):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                hasher.update(str(path.relative_to(root)).encode() + b"\0")
                hasher.update(path.read_bytes())
    return hasher.hexdigest()


def search_path(settings: dict) -> list[str]:
    """The folders Pelican's generators look for templates in, in order
    (Pelican 4.12 ``Generator.__init__``; the built-in theme is Pelican's)."""
    overrides = [
        str(folder) for folder in settings.get("THEME_TEMPLATES_OVERRIDES") or []
    ]
    return [*overrides, str(Path(settings["THEME"]) / "templates")]


def hashed_roots(settings: dict) -> list[Path]:
    """The theme, the package and each folder of the search path outside them."""
    roots = [Path(settings["THEME"]).resolve(), PACKAGE]
    for folder in search_path(settings):
        path = Path(folder).expanduser().resolve()
        if not any(path == root or root in path.parents for root in roots):
            roots.append(path)
    return roots


def file_name(output: str | None) -> str:
    if not output:
        return "incremental.pickle"
    tag = hashlib.blake2b(
        str(Path(output).resolve()).encode(), digest_size=6
    ).hexdigest()
    return f"incremental-{tag}.pickle"


def load(path: Path, env_version: str) -> dict:
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != env_version:
        return {}
    return data.get("pages", {})


def save(path: Path, env_version: str, pages: dict) -> None:
    data = {"version": env_version, "pages": pages}
    write_atomic(path, pickle.dumps(data, protocol=5))
