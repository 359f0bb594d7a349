"""Reading blog folders: shared by the blogs, audience and check code."""

from __future__ import annotations

from pathlib import Path

from tps.core.problems import ContentError

from .models import BlogConfig
from .validate import load_blog

# Every list of posts a Pelican ArticlesGenerator keeps; a filter must touch them all.
ARTICLE_LISTS = (
    "articles",
    "translations",
    "drafts",
    "drafts_translations",
    "hidden_articles",
    "hidden_translations",
)


def blog_configs(content: Path) -> dict[str, BlogConfig]:
    """Every blog under content/blogs/, by folder slug; stops on a bad blog.yaml."""
    blogs, problems = {}, []
    for config in sorted(Path(content).glob("blogs/*/blog.yaml")):
        blog, found = load_blog(config, Path(content).parent)
        problems += found
        if blog:
            blogs[config.parent.name] = blog
    if problems:
        raise ContentError(problems)
    return blogs


def internal_blog_folders(content: Path) -> list[str]:
    return [
        slug
        for slug, blog in blog_configs(content).items()
        if blog.audience == "internal"
    ]
