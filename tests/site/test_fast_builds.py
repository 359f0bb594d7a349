"""The build shortcuts change nothing in the output: Markdown read once for both
sites (tps/site/readcache.py), the content validated once (tree stamp) and
URLs kept once computed (tps/url_cache)."""

from __future__ import annotations

import os
import time

import pytest
from pelican.settings import get_settings_from_file

from tps.content_model import tree_stamp
from tps.core.paths import SETTINGS
from tps.site.build import build
from tps.site.readcache import prewarm

# Each test compares builds made at different moments: one clock for all.
pytestmark = pytest.mark.usefixtures("fixed_now")

NO_CACHE = {
    "LOAD_CONTENT_CACHE": False,
    "CACHE_CONTENT": False,
    "PLUGINS": [
        name
        for name in get_settings_from_file(str(SETTINGS["public"]))["PLUGINS"]
        if name != "tps.url_cache"
    ],
}


def site_files(root):
    """Every output file except the search index (its own build step)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and "pagefind" not in path.parts
    }


def test_shared_reads_give_the_same_sites_cold_and_after_an_edit(
    content_copy, tmp_path
):
    cache = tmp_path / "cache"
    build(content=content_copy, output_root=tmp_path / "cold", cache_root=cache)
    # One store for both sites, one entry per file's content.
    posts = len(list(content_copy.glob("blogs/*/*.md")))
    assert len(list((cache / "markdown-reads").glob("*/*.pickle"))) > posts
    assert prewarm(("public", "internal"), content_copy, cache) == 0, "all fresh"

    post = content_copy / "blogs/traffic-services/winter-driving.md"
    post.write_text(
        post.read_text() + "\nEdited after the first build: check your wipers.\n"
    )
    later = time.time() + 5  # a stamp that differs even on coarse clocks
    os.utime(post, (later, later))
    warm = tmp_path / "warm"
    build(content=content_copy, output_root=warm, cache_root=cache)
    plain = tmp_path / "plain"
    build(content=content_copy, output_root=plain, settings=NO_CACHE)

    for site in ("public", "internal"):
        assert site_files(warm / site) == site_files(plain / site), site
    page = (
        warm / "public/blogs/traffic-services/winter-driving/index.html"
    ).read_text()
    assert "check your wipers" in page
    cold_unchanged = (
        tmp_path / "cold/public/blogs/crime-blog/grandparent-scam-warning/index.html"
    )
    assert (
        cold_unchanged.read_bytes()
        == (
            warm / "public/blogs/crime-blog/grandparent-scam-warning/index.html"
        ).read_bytes()
    )


def test_the_tree_stamp_changes_with_any_file(content_copy):
    before = tree_stamp(content_copy)
    assert tree_stamp(content_copy) == before
    unit = content_copy / "units/52-division.yaml"
    unit.write_text(unit.read_text() + "\n")
    assert tree_stamp(content_copy) != before


def test_only_a_blogs_first_page_is_indexed_for_search(public_site):
    """Later pages repeat summaries the posts hold; indexing them cost time
    and pointed search results at "page 37" instead of the post."""
    first = (public_site / "blogs/traffic-services/index.html").read_text()
    second = (public_site / "blogs/traffic-services/page/2/index.html").read_text()
    assert "data-pagefind-body" in first
    assert "data-pagefind-body" not in second
    assert "see who on the first page" in second, "contributors listed once"
