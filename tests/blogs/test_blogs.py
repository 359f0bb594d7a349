"""The multi-blog plugin on the built sample sites: indexes, pagination, feeds,
post pages and contributors, as a reader and a feed reader meet them."""

from __future__ import annotations

import math
from collections import Counter

import feedparser
import pytest
from pelican.settings import read_settings

from tests.support import frontmatter
from tests.support.html import page
from tps.alerts.plugin import LIVE_PAGE
from tps.core.paths import SETTINGS

PER_PAGE = read_settings(str(SETTINGS["public"]))["DEFAULT_PAGINATION"]
SITES = ("public", "internal")


def blogs_in(site: str) -> dict[str, dict]:
    return {
        slug: blog
        for slug, blog in frontmatter.blogs().items()
        if site == "internal" or blog["audience"] == "public"
    }


def posts_of(site: str, blog: str) -> list:
    return [p for p in frontmatter.published(audience=site) if p.blog == blog]


def test_sample_has_six_blogs_with_five_posts_each():
    blogs = frontmatter.blogs()
    assert len(blogs) == 6
    assert [b["title"] for b in blogs.values() if b["audience"] == "internal"] == [
        "The Badge"
    ]
    for slug in blogs:
        assert len(posts_of("internal", slug)) >= 5, slug


@pytest.mark.parametrize("site", SITES)
def test_every_blog_has_an_index_listing_all_its_posts_across_pages(sample_sites, site):
    for slug, blog in blogs_in(site).items():
        expected = posts_of(site, slug)
        pages = math.ceil(len(expected) / PER_PAGE)
        listed = []
        for number in range(1, pages + 1):
            url = f"blogs/{slug}/" if number == 1 else f"blogs/{slug}/page/{number}/"
            html = page(sample_sites[site], url)
            assert html.h1.get_text(" ", strip=True).startswith(blog["title"])
            listed += [
                a.get_text(strip=True) for a in html.select(".tps-post-card__title a")
            ]
        assert sorted(listed) == sorted(p.title for p in expected), slug
        assert not (sample_sites[site] / f"blogs/{slug}/page/{pages + 1}").exists()


def test_pagination_links_between_pages(public_site):
    paginated = [
        slug for slug in blogs_in("public") if len(posts_of("public", slug)) > PER_PAGE
    ]
    assert paginated, "the sample content should exercise pagination"
    slug = paginated[0]
    first = page(public_site, f"blogs/{slug}/")
    second_link = first.select_one('.tps-pagination a[rel="next"]')["href"]
    assert second_link.rstrip("/").endswith(f"blogs/{slug}/page/2")
    second = page(public_site, f"blogs/{slug}/page/2/")
    assert (
        second.select_one('.tps-pagination a[rel="prev"]')["href"]
        .rstrip("/")
        .endswith(f"blogs/{slug}")
    )


@pytest.mark.parametrize("site", SITES)
def test_each_blog_has_a_valid_atom_feed_of_its_own_posts(sample_sites, site):
    for slug in blogs_in(site):
        feed = feedparser.parse(
            (sample_sites[site] / f"blogs/{slug}/feed.atom.xml").read_bytes()
        )
        assert not feed.bozo, (slug, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        titles = {p.title for p in posts_of(site, slug)}
        assert {e.title for e in feed.entries} == titles
        for entry in feed.entries:
            assert entry.link.startswith("https://") and f"/blogs/{slug}/" in entry.link


def test_site_wide_feed_lists_public_posts_only(public_site):
    feed = feedparser.parse((public_site / "feeds/all.atom.xml").read_bytes())
    assert not feed.bozo
    public_titles = {p.title for p in frontmatter.published(audience="public")}
    assert {e.title for e in feed.entries} <= public_titles
    assert len(feed.entries) == min(20, len(public_titles))


@pytest.mark.parametrize("site", SITES)
def test_contributors_list_counts_each_authors_posts(sample_sites, site):
    for slug in blogs_in(site):
        expected = Counter(p.author for p in posts_of(site, slug))
        html = page(sample_sites[site], f"blogs/{slug}/")
        listed = {}
        for item in html.select(".tps-contributors li"):
            count = int(item.select_one(".tps-muted").get_text().split()[0])
            listed[item.a.get_text(strip=True)] = count
        assert listed == dict(expected), slug


def test_post_page_shows_title_author_blog_dates_and_social_tags(public_site):
    post = frontmatter.published(audience="public")[0]
    html = page(public_site, f"blogs/{post.blog}/{post.slug}/")
    assert html.h1.get_text(strip=True) == post.title
    assert len(html.find_all("h1")) == 1
    meta = html.select_one(".tps-article__meta")
    assert post.author in meta.get_text()
    assert meta.select_one("time")["datetime"]
    assert "Date modified" in html.select_one(".tps-footer__modified").get_text()
    og = {m["property"]: m["content"] for m in html.select("meta[property^=og]")}
    assert og["og:title"] == post.title
    assert og["og:url"] == f"https://www.tps.ca/blogs/{post.blog}/{post.slug}/"
    assert og["og:type"] == "article" and og["og:image"].startswith("https://")
    assert html.find("link", rel="canonical")["href"] == og["og:url"]


def test_post_url_comes_from_the_file_name_so_edits_keep_it(content_copy, tmp_path):
    from tps.site.build import build

    post = next(content_copy.glob("blogs/crime-blog/*.md"))
    text = post.read_text()
    title_line = next(line for line in text.splitlines() if line.startswith("Title:"))
    post.write_text(text.replace(title_line, "Title: A completely different headline"))
    build(("public",), content=content_copy, output_root=tmp_path / "out")
    html = page(tmp_path / "out/public", f"blogs/crime-blog/{post.stem}/")
    assert html.h1.get_text(strip=True) == "A completely different headline"


@pytest.mark.parametrize("site", SITES)
def test_blogs_overview_lists_the_sites_blogs(sample_sites, site):
    html = page(sample_sites[site], "blogs/")
    titles = {a.get_text(strip=True) for a in html.select(".tps-card__title a")}
    assert titles == {b["title"] for b in blogs_in(site).values()}


@pytest.mark.parametrize("site", SITES)
def test_every_page_has_one_h1_the_contact_block_and_a_skip_link(sample_sites, site):

    for path in sample_sites[site].rglob("*.html"):
        where = path.relative_to(sample_sites[site])
        if where.as_posix() == LIVE_PAGE:
            continue  # the shell `invoke alert` fills in: its h1 comes with the alert
        html = page(path.parent, path.name)
        assert len(html.find_all("h1")) == 1, where
        block = html.select_one("header .tps-contact-block")
        assert (
            block and "911" in block.get_text() and "416-808-2222" in block.get_text()
        ), where
        assert html.select_one("a.tps-skip-link")["href"] == "#main", where
        assert html.find("main", id="main"), where
        assert html.html["lang"] == "en-CA", where
        if str(where) != "search/index.html":
            assert not html.find("script"), f"{where}: pages work without JavaScript"


def test_posts_link_to_the_newer_and_older_post_of_their_blog(public_site):
    posts = [
        p for p in frontmatter.published(audience="public") if p.blog == "crime-blog"
    ]
    pages = {p.slug: page(public_site, f"blogs/crime-blog/{p.slug}/") for p in posts}
    chains = {
        slug: (
            html.select_one(".tps-post-nav__newer a"),
            html.select_one(".tps-post-nav__older a"),
        )
        for slug, html in pages.items()
    }
    newest = [s for s, (newer, older) in chains.items() if newer is None]
    oldest = [s for s, (newer, older) in chains.items() if older is None]
    assert len(newest) == 1 and len(oldest) == 1
    walked, slug = [], newest[0]
    while slug:
        walked.append(pages[slug].h1.get_text(strip=True))
        older = chains[slug][1]
        slug = older["href"].rstrip("/").rsplit("/", 1)[-1] if older else None
    assert sorted(walked) == sorted(p.title for p in posts)
