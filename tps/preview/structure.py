"""A new post, added to the site the preview holds (site.py) without a full
build: read, listed with the posts already held
(``tps.core.pelican_internals.relist_articles``), and the content whose value
that changed found by comparing every held post and page before and after.
Anything this cannot be sure of (a file outside the blogs, a translation, a
post another one links to, a generator it does not know) is a full build.
"""

from __future__ import annotations

from pathlib import Path

from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator, PagesGenerator, StaticGenerator

from tps.alerts.plugin import AlertsGenerator
from tps.governance.generator import GovernanceGenerator
from tps.incremental.plugin import CONTENT_LISTS
from tps.incremental.session import (
    CONTAINER,
    CONTENT,
    VALUE,
    WRAPPER,
    intrinsic_key,
    kind_of,
)
from tps.social_feeds.plugin import SocialFeedsGenerator
from tps.units.generator import UnitsGenerator

from . import edits

# The generators whose context does not depend on the posts (or, for units,
# whose pages attach the posts again each time they are written).
KNOWN = (ArticlesGenerator, PagesGenerator, StaticGenerator, UnitsGenerator,
         SocialFeedsGenerator, AlertsGenerator)  # fmt: skip


def new_posts(generators: list, paths: list[Path]) -> list[Article] | None:
    """The posts read from ``paths`` when each is a new post of a blog, else None."""
    if not paths or not all(_known(g) for g in generators):
        return None
    articles = next((g for g in generators if type(g) is ArticlesGenerator), None)
    if articles is None:
        return None
    settings = articles.settings
    root = Path(articles.path)
    added = []
    for path in paths:
        path = path.resolve()
        if path.suffix != ".md" or not path.is_file():
            return None
        if edits.held_content(generators, path) is not None:
            return None
        relative = path.relative_to(root) if path.is_relative_to(root) else None
        if relative is None or relative.parts[0] not in settings["ARTICLE_PATHS"]:
            return None
        if any(
            relative.as_posix().startswith(f"{excluded.strip('/')}/")
            for excluded in settings["ARTICLE_EXCLUDES"]
        ):
            return None
        article = edits.read_file(articles, relative)
        if not isinstance(article, Article) or not article.is_valid():
            return None
        if article.status not in ("published", "draft") or (
            article.lang != settings["DEFAULT_LANG"]
            or "translation" in article.metadata
        ):
            return None
        if _linked_from_held(generators, relative.as_posix()):
            return None  # its {filename} links resolve only in a full build
        added.append(article)
    return added


def _known(generator) -> bool:
    # Governance lists the posts on the intranet only (metrics, link checks).
    if type(generator) is GovernanceGenerator:
        return not generator.enabled
    return type(generator) in KNOWN


def _linked_from_held(generators: list, relative: str) -> bool:
    for item in held(generators):
        if relative in (vars(item).get("_content") or ""):
            return True
    return False


def held(generators: list):
    seen: set[int] = set()
    for generator in generators:
        for name in CONTENT_LISTS:
            for item in getattr(generator, name, None) or []:
                if isinstance(item, Content) and id(item) not in seen:
                    seen.add(id(item))
                    yield item


def prints(generators: list) -> dict[tuple, object]:
    """Each held post's and page's value, deep (what it refers to, to any
    depth, except other content, which has its own): equal prints, equal
    values."""
    memo: dict[int, tuple] = {}
    shared: set[int] = set()
    for generator in generators:
        shared.update((id(generator.settings), id(generator.context)))
    return {
        intrinsic_key(item): _object(item, memo, shared) for item in held(generators)
    }


def _object(obj, memo: dict, shared: set) -> tuple:
    return (
        type(obj).__qualname__,
        tuple(
            (name, _print(value, memo, shared))
            for name, value in sorted(vars(obj).items())
        ),
    )


def _print(value, memo: dict, shared: set):
    kind = kind_of(type(value))
    if kind == VALUE:
        return (type(value).__name__, value)
    if kind in (CONTENT, WRAPPER):
        return ("key", intrinsic_key(value), str(value) if kind == WRAPPER else None)
    if id(value) in shared:
        return ("shared", id(value))
    known = memo.get(id(value))
    if known is not None and known[0] is value:
        return known[1]
    memo[id(value)] = (value, ("cycle", id(value)))
    if kind == CONTAINER:
        if isinstance(value, dict):
            made = ("dict", tuple(
                (_print(k, memo, shared), _print(v, memo, shared))
                for k, v in value.items()
            ))  # fmt: skip
        elif isinstance(value, (set, frozenset)):
            made = ("set", tuple(sorted(repr(_print(v, memo, shared)) for v in value)))
        else:
            made = (type(value).__name__, tuple(_print(v, memo, shared) for v in value))
    elif hasattr(value, "__dict__") and not callable(value):
        made = _object(value, memo, shared)
    else:
        made = ("other", type(value).__qualname__, id(value))
    memo[id(value)] = (value, made)
    return made
