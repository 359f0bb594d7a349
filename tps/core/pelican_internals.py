"""The one place that touches Pelican below its documented surface.

Two uses, pinned by tests (tests/core/test_pelican_internals.py, and
tests/preview/test_preview.py for the second), which fail if Pelican 4.12's
behaviour changes:

``Content.override_url`` / ``override_save_as``: the attributes that Pelican
turns the documented ``url`` and ``save_as`` metadata into
(``Content.__init__``), and that ``Content.get_url_setting`` answers before it
formats ``ARTICLE_URL``/``PAGE_SAVE_AS`` again. Pelican formats a post's URL
from the settings on every access (a copy of its metadata and a
``str.format`` each time), and templates ask about ten times per post per
build. Once every generator has read its content (``all_generators_finalized``)
the URLs no longer change, so tps.url_cache sets each post's own answers as its
override, as if the file had said ``URL:`` and ``Save_as:``. Why not a public
way: ``url`` is a read-only property (an instance attribute cannot shadow
it), and the metadata is consumed when the object is made, before plugins have
set the category, status and slug that the URL is made of.

``ArticlesGenerator._build_period_archives`` and ``Generator._update_context``:
:func:`relist_articles` runs the second half of
``ArticlesGenerator.generate_context`` (everything after the files are read:
translations, order, the taxonomy signal, categories, tags, authors, dates,
period archives, the context, the finalized signal) again on the posts a
generator already holds plus a new one, so that the preview can add a post
without reading 2,000 others again. Why not a public way: Pelican has no step
between "read every file" and "list them"; the two helpers are the parts of
that step that are not a few lines to write out.
"""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter

from pelican import signals
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator
from pelican.utils import order_content, process_translations


def fix_output_location(content: Content) -> None:
    """From now on ``content.url`` and ``content.save_as`` answer what they
    answer now, without formatting the URL settings again."""
    url, save_as = content.url, content.save_as
    content.override_url = url
    content.override_save_as = save_as


LISTED = ("articles", "drafts", "hidden_articles", "dates", "tags", "categories",
          "authors", "related_posts")  # fmt: skip


def relist_articles(generator: ArticlesGenerator, added: list[Article]) -> None:
    """The generator's lists and context made again, as ``generate_context``
    makes them once every file is read, from the posts it holds and ``added``
    (Pelican 4.12's steps in its order; ``added`` read by its readers)."""
    settings = generator.settings
    lists = {
        "published": [*generator.articles, *generator.translations],
        "hidden": [*generator.hidden_articles, *generator.hidden_translations],
        "draft": [*generator.drafts, *generator.drafts_translations],
    }
    for article in added:
        lists[article.status].append(article)
        generator.add_source_path(article)
        generator.add_static_links(article)

    def process(articles: list) -> tuple[list, list]:
        originals, translations = process_translations(
            articles, translation_id=settings["ARTICLE_TRANSLATION_ID"]
        )
        return order_content(originals, settings["ARTICLE_ORDER_BY"]), translations

    generator.articles, generator.translations = process(lists["published"])
    generator.hidden_articles, generator.hidden_translations = process(lists["hidden"])
    generator.drafts, generator.drafts_translations = process(lists["draft"])
    signals.article_generator_pretaxonomy.send(generator)
    categories, tags, authors = defaultdict(list), defaultdict(list), defaultdict(list)
    for article in generator.articles:
        if hasattr(article, "category"):
            categories[article.category].append(article)
        for tag in getattr(article, "tags", None) or []:
            tags[tag].append(article)
        for author in getattr(article, "authors", []):
            authors[author].append(article)
    generator.tags = tags
    generator.dates = sorted(
        generator.articles,
        key=attrgetter("date"),
        reverse=generator.context["NEWEST_FIRST_ARCHIVES"],
    )
    generator.period_archives = generator._build_period_archives(
        generator.dates, generator.articles, settings
    )
    generator.categories = sorted(
        categories.items(), reverse=settings["REVERSE_CATEGORY_ORDER"]
    )
    generator.authors = sorted(authors.items())
    generator._update_context(LISTED)
    generator.context["period_archives"] = generator.period_archives
    signals.article_generator_finalized.send(generator)
