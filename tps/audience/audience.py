from __future__ import annotations

from pathlib import Path

from pelican import signals

from tps.content_model.blogs import ARTICLE_LISTS, internal_blog_folders
from tps.core.audience import audience_of_content

PAGE_LISTS = (
    "pages",
    "translations",
    "hidden_pages",
    "hidden_translations",
    "draft_pages",
    "draft_translations",
)


def is_public_build(settings: dict) -> bool:
    audience = settings.get("SITE_AUDIENCE", "public")
    if audience not in ("public", "internal"):
        raise ValueError(
            f"SITE_AUDIENCE must be 'public' or 'internal', not {audience!r}"
        )
    return audience == "public"


def is_internal(content, settings: dict, internal_blogs: list[str]) -> bool:
    return audience_of_content(content, settings["PATH"], internal_blogs) == "internal"


def exclude_internal_folders(pelican) -> None:
    settings = pelican.settings
    if not is_public_build(settings):
        return
    content = Path(settings["PATH"])
    excludes = settings.setdefault("ARTICLE_EXCLUDES", [])
    excludes += [f"blogs/{slug}" for slug in internal_blog_folders(content)]
    # An excluded folder only counts below a path root: drop internal roots too.
    for key in ("PAGE_PATHS", "STATIC_PATHS", "ARTICLE_PATHS"):
        settings[key] = [p for p in settings.get(key, []) if not _is_internal_path(p)]
    for key in ("PAGE_EXCLUDES", "STATIC_EXCLUDES"):
        if "internal" not in settings.setdefault(key, []):
            settings[key].append("internal")


def _is_internal_path(path: str) -> bool:
    return path.strip("/").split("/")[0] == "internal"


def _drop_internal(generator, names: tuple[str, ...]) -> None:
    if not is_public_build(generator.settings):
        return
    settings = generator.settings
    internal_blogs = internal_blog_folders(Path(settings["PATH"]))
    for name in names:
        items = getattr(generator, name, None)
        if items:
            items[:] = [
                item
                for item in items
                if not is_internal(item, settings, internal_blogs)
            ]


def drop_internal_articles(generator) -> None:
    _drop_internal(generator, ARTICLE_LISTS)


def drop_internal_pages(generator) -> None:
    _drop_internal(generator, PAGE_LISTS)


def register() -> None:
    signals.initialized.connect(exclude_internal_folders)
    signals.article_generator_pretaxonomy.connect(drop_internal_articles)
    signals.page_generator_finalized.connect(drop_internal_pages)
