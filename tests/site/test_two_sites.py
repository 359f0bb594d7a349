"""Two sites from one tree, and not one byte of internal content in the public one."""

from __future__ import annotations

import gzip
import re
import shutil

import pytest

from tests.support import frontmatter
from tests.support.html import page
from tps.site.build import build

CANARY = "ZEBRA-CANARY-7f3a9c"


def plant_canaries(content):
    """Internal content in every place an editor could put it, each carrying CANARY."""
    (content / "internal/canary-page.md").write_text(
        f"Title: Canary page {CANARY}\nAudience: internal\n\nSecret {CANARY}.\n"
    )
    images = content / "internal/images"
    images.mkdir(parents=True, exist_ok=True)
    (images / "canary.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><title>{CANARY}</title></svg>'
    )
    (content / "blogs/the-badge/canary-internal-blog.md").write_text(
        f"Title: Badge canary {CANARY}\nDate: 2026-11-01 09:00\nAuthor: Canary Author {CANARY}\n"
        f"Tags: CanaryTag{CANARY}\nSummary: {CANARY}\n\nInternal blog post {CANARY}.\n"
        f"![canary](/internal/images/canary.svg)\n"
    )
    (content / "blogs/crime-blog/canary-internal-post.md").write_text(
        f"Title: Internal audience {CANARY}\nDate: 2026-11-02 09:00\nAuthor: Second Canary {CANARY}\n"
        f"Audience: internal\nTags: Fraud, OnlyInternal{CANARY}\nSummary: {CANARY}\n\nStaff-only details {CANARY}.\n"
    )
    (content / "pages/canary-internal-page.md").write_text(
        f"Title: Staff page in pages {CANARY}\nAudience: internal\n\n{CANARY}\n"
    )
    (content / "blogs/traffic-services/canary-draft.md").write_text(
        f"Title: Draft {CANARY}\nDate: 2026-11-03 09:00\nAuthor: Draft Author\nStatus: draft\n\nDraft text {CANARY}.\n"
    )


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    from tps.core.paths import CONTENT

    root = tmp_path_factory.mktemp("planted")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    plant_canaries(content)
    build(content=content, output_root=root / "output")
    return root / "output"


def readable_bytes(path) -> bytes:
    """File content as a reader of it gets it: Pagefind's index files are gzip."""
    data = path.read_bytes()
    if path.suffix.startswith(".pf_"):
        data = gzip.decompress(data)
    return data


def files_containing(site, needle: str) -> list[str]:
    pattern = re.compile(re.escape(needle).encode(), re.IGNORECASE)
    slug = needle.lower().encode()
    return sorted(
        str(path.relative_to(site))
        for path in site.rglob("*")
        if path.is_file()
        and (pattern.search(readable_bytes(path)) or slug in path.name.lower().encode())
    )


def test_public_output_holds_no_internal_byte(planted):
    public = planted / "public"
    assert sorted(p.name for p in public.iterdir())  # something was built
    assert files_containing(public, CANARY) == []
    assert files_containing(public, "canary") == []  # also slugs, tags, file names


def test_internal_output_has_every_internal_canary(planted):
    internal = planted / "internal"
    found = files_containing(internal, CANARY)
    for expected in (
        "canary-page/index.html",
        "blogs/the-badge/canary-internal-blog/index.html",
        "blogs/crime-blog/canary-internal-post/index.html",
        "canary-internal-page/index.html",
        "internal/images/canary.svg",
        "feeds/all.atom.xml",
        "sitemap.xml",
    ):
        assert expected in found
    fragments = [f for f in found if f.startswith("pagefind/") and "/fragment/" in f]
    assert fragments, (
        "the internal search index holds internal text, so the public check can see it"
    )


def test_drafts_appear_in_neither_site(planted):
    for site in ("public", "internal"):
        hits = [f for f in files_containing(planted / site, "Draft " + CANARY)]
        assert hits == [], site
        assert not (planted / site / "drafts").exists()


def test_internal_blog_and_pages_only_in_internal_site(public_site, internal_site):
    assert not (public_site / "blogs/the-badge").exists()
    assert (internal_site / "blogs/the-badge/index.html").exists()
    for page_path in ("procedures", "procedures/cyber-vetting", "training", "support"):
        assert not (public_site / page_path).exists(), page_path
        assert (internal_site / page_path / "index.html").exists(), page_path
    internal_posts = [
        p
        for p in frontmatter.posts()
        if p.audience == "internal" and p.blog != "the-badge"
    ]
    assert internal_posts, (
        "the sample content should have an internal post in a public blog"
    )
    for post in internal_posts:
        assert not (public_site / f"blogs/{post.blog}/{post.slug}").exists()
        assert (internal_site / f"blogs/{post.blog}/{post.slug}/index.html").exists()


def test_internal_site_is_marked_and_kept_out_of_search_engines(
    internal_site, public_site
):
    home = page(internal_site, "")
    assert "Internal use only" in home.select_one(".tps-internal-banner").get_text()
    assert home.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert (internal_site / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    assert (
        "Sitemap: https://www.tps.ca/sitemap.xml"
        in (public_site / "robots.txt").read_text()
    )


def test_feed_text_and_titles_are_escaped(tmp_path):
    """Jinja autoescape is on: markup in front matter is shown as text, never run."""
    from tps.core.paths import CONTENT

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "blogs/crime-blog/escape-test.md").write_text(
        'Title: <script>alert(1)</script> & "quotes"\nDate: 2026-11-04 09:00\n'
        "Author: <img src=x onerror=alert(2)>\nSummary: <b>bold</b>\n\nBody.\n"
    )
    build(("public",), content=content, output_root=tmp_path / "out")
    html = page(tmp_path / "out/public", "blogs/crime-blog/escape-test/")
    assert html.h1.get_text() == '<script>alert(1)</script> & "quotes"'
    assert not html.find("script") and not html.find("img", src="x")


def test_the_local_preview_shows_drafts_badged(tmp_path):
    """`invoke serve` builds with PREVIEW_DRAFTS: editors see drafts, marked."""
    build(("public",), output_root=tmp_path, settings={"PREVIEW_DRAFTS": True})
    drafts = [
        p for p in frontmatter.posts() if p.status == "draft" and p.audience == "public"
    ]
    assert drafts
    for draft in drafts:
        html = page(tmp_path / "public", f"blogs/{draft.blog}/{draft.slug}/")
        assert html.select_one(".tps-badge--draft")
        listing = page(tmp_path / "public", f"blogs/{draft.blog}/")
        assert draft.title in listing.get_text()
