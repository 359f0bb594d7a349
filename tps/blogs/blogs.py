from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals
from pelican.urlwrappers import Category

from tps.content_model.blogs import ARTICLE_LISTS, blog_configs


@dataclass
class Contributor:
    name: str
    author: object  # pelican Author (url, slug)
    posts: int
    latest: object  # the contributor's newest post in this blog


@dataclass
class Blog:
    slug: str
    title: str
    description: str
    audience: str
    unit: str | None
    category: Category
    posts: list = field(default_factory=list)
    contributors: list[Contributor] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.category.url

    @property
    def feed_url(self) -> str:
        return self.category.settings["CATEGORY_FEED_ATOM"].format(slug=self.slug)

    @property
    def contributor_count(self) -> int:
        return len(self.contributors)

    @property
    def latest(self):
        return self.posts[0] if self.posts else None


def attach_blogs(generator) -> None:
    """Give every post its blog, and every blog one category named after its title."""
    settings = generator.settings
    blogs = {}
    for slug, config in blog_configs(Path(settings["PATH"])).items():
        category = Category(config.title, settings)
        category.slug = slug
        blogs[slug] = Blog(
            slug,
            config.title,
            config.description,
            config.audience,
            config.unit,
            category,
        )
    for name in ARTICLE_LISTS:
        for article in getattr(generator, name, []):
            blog = blogs[article.category.slug]
            article.blog = blog
            article.category = blog.category
    generator.blogs = blogs


def show_drafts_in_preview(generator) -> None:
    """The local preview (PREVIEW_DRAFTS) lists drafts as if published, badged."""
    if not generator.settings.get("PREVIEW_DRAFTS"):
        return
    for draft in generator.drafts:
        draft.preview_draft = True
        draft.status = "published"  # so Pelican writes it at its future URL
    generator.articles[:] = sorted(
        generator.articles + generator.drafts, key=lambda a: a.date, reverse=True
    )
    generator.drafts[:] = []


def count_posts_and_contributors(generator) -> None:
    """Once per build: each blog's posts (newest first) and who wrote them."""
    blogs = generator.blogs
    for article in generator.articles:  # already sorted newest first
        blogs[article.blog.slug].posts.append(article)
    for blog in blogs.values():
        for index, post in enumerate(blog.posts):
            post.newer_in_blog = blog.posts[index - 1] if index else None
            post.older_in_blog = (
                blog.posts[index + 1] if index + 1 < len(blog.posts) else None
            )
        counts = Counter(post.author.name for post in blog.posts)
        newest = {}
        for post in blog.posts:
            newest.setdefault(post.author.name, post)
        blog.contributors = [
            Contributor(name, newest[name].author, counts[name], newest[name])
            for name in sorted(counts, key=lambda n: (-counts[n], n))
        ]
    visible = [blog for blog in blogs.values() if blog.posts]
    generator.context["BLOGS"] = sorted(visible, key=lambda b: b.title.lower())
    generator.context["BLOGS_BY_SLUG"] = {blog.slug: blog for blog in visible}


def register() -> None:
    signals.article_generator_pretaxonomy.connect(attach_blogs)
    signals.article_generator_pretaxonomy.connect(show_drafts_in_preview)
    signals.article_generator_finalized.connect(count_posts_and_contributors)
