"""Site search: Pagefind indexes each site after its build; the search page works
in Chromium and degrades to plain links without JavaScript."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.support.html import page
from tests.support.nginx import Nginx
from tps.site.search_index import (
    Lender,
    Plan,
    SearchIndexError,
    index,
    indexed_view,
    plan,
    scan,
)


def _served(sample_sites, tmp_path_factory, site: str):
    with Nginx(sample_sites[site], tmp_path_factory.mktemp(f"nginx-{site}")) as nginx:
        yield nginx


@pytest.fixture(scope="module")
def server(sample_sites, tmp_path_factory):
    yield from _served(sample_sites, tmp_path_factory, "public")


@pytest.fixture(scope="module")
def intranet(sample_sites, tmp_path_factory):
    yield from _served(sample_sites, tmp_path_factory, "internal")


def search(chromium, server, query: str) -> list[str]:
    context = chromium.new_context()
    browser_page = context.new_page()
    browser_page.goto(server.url + "/search/")
    browser_page.fill(".pagefind-ui__search-input", query)
    browser_page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    links = browser_page.eval_on_selector_all(
        ".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))"
    )
    context.close()
    return links


def test_search_for_a_division_number_finds_its_page(chromium, server):
    links = search(chromium, server, "52 Division")
    assert any(link.rstrip("/").endswith("units/52-division") for link in links[:3]), (
        links
    )


def test_search_finds_posts(chromium, server):
    links = search(chromium, server, "grandparent scam")
    assert any("blogs/crime-blog/grandparent-scam-warning" in link for link in links), (
        links
    )


def test_search_page_without_javascript_leads_to_the_directory(chromium, server):
    context = chromium.new_context(java_script_enabled=False)
    browser_page = context.new_page()
    browser_page.goto(server.url + "/search/")
    links = browser_page.eval_on_selector_all(
        "#search a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert any(link.endswith("units/") for link in links)
    context.close()


def test_only_content_pages_are_indexed(public_site):
    assert (
        page(public_site, "units/52-division/").find("main")["data-pagefind-body"] == ""
    )
    assert (
        page(public_site, "blogs/crime-blog/")
        .find("main")
        .has_attr("data-pagefind-body")
    )
    for listing in ("tags/", "authors/", "archives/", ""):
        assert (
            not page(public_site, listing).find("main").has_attr("data-pagefind-body")
        ), listing


def test_the_intranet_shares_the_public_blog_shards_and_finds_its_own_posts(
    chromium, intranet, sample_sites
):
    """Its public posts are indexed once, in the public site's shards (linked);
    its own posts of a public blog are in its primary shard."""
    for blog in ("crime-blog", "traffic-services"):
        entry = f"pagefind/shards/{blog}/pagefind-entry.json"
        public = os.stat(sample_sites["public"] / entry)
        internal = os.stat(sample_sites["internal"] / entry)
        assert (public.st_ino, public.st_dev) == (internal.st_ino, internal.st_dev)
    links = search(chromium, intranet, "grandparent scam")
    assert any("blogs/crime-blog/grandparent-scam-warning" in link for link in links)
    links = search(chromium, intranet, "RIDE deployment notes")
    assert any(
        "blogs/traffic-services/holiday-ride-deployment-notes" in link for link in links
    ), links


FRAME = (
    b'<html lang="en-CA"><head><title>%s</title></head><body>'
    b'<header><img src="badge.svg" alt=""></header>'
    b"<main data-pagefind-body><h1>Post</h1><p>Body text %s</p>"
    b'<nav data-pagefind-ignore><div><a href="%s">next</a></div></nav></main>'
    b"<footer>%s</footer></body></html>"
)


def test_what_pagefind_does_not_read_leaves_the_indexed_view_alone():
    one = indexed_view(FRAME % (b"Public", b"", b"a/", b"x"))
    assert one == indexed_view(FRAME % (b"Intranet", b"", b"b/", b"y")), (
        "title, ignored parts and what is outside the body are not indexed"
    )
    assert one != indexed_view(FRAME % (b"Public", b"more", b"a/", b"x"))
    assert b"next" not in one and b"Body text" in one and b'lang="en-CA"' in one


def test_the_indexed_view_is_the_whole_page_when_in_doubt():
    unclosed = b"<html><main data-pagefind-body><p>text</p>"
    assert indexed_view(unclosed) == unclosed
    meta = FRAME.replace(b"<title>", b"<title data-pagefind-meta='title'>")
    page_bytes = meta % (b"Public", b"", b"a/", b"x")
    assert indexed_view(page_bytes) == page_bytes, "a meta outside the body counts"
    prose = FRAME % (b"P", b"about the data-pagefind-ignore attribute", b"a/", b"x")
    assert b"about the data-pagefind-ignore attribute" in indexed_view(prose), (
        "an attribute's name in the text is text"
    )


def test_the_intranet_indexes_a_shared_shard_itself_when_the_public_index_failed(
    sample_sites, tmp_path
):
    copies = {}
    for site in ("public", "internal"):
        copies[site] = tmp_path / site
        shutil.copytree(
            sample_sites[site], copies[site], ignore=shutil.ignore_patterns("pagefind")
        )
    lender = Lender()
    lender.planned.set_result(
        Plan(copies["public"], tuple(plan(scan(copies["public"]))))
    )
    lender.built.set_exception(SearchIndexError("the public index failed"))
    log = index(copies["internal"], lender=lender)
    assert "0 shared with the other site" in log
    assert "pagefind/shards/crime-blog" in log
    assert (
        copies["internal"] / "pagefind/shards/crime-blog/pagefind-entry.json"
    ).is_file()
