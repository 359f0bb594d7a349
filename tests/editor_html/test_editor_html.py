"""Issue 12: editor HTML goes through the editor allowlist (nh3)."""

from __future__ import annotations

from tps.editor_html import clean_editor_html
from tps.site.build import build

HOSTILE = """Title: Community barbecue at 14 Division
Date: 2026-07-27 09:30
Author: Marcus Bell
Summary: Join us <script>alert("summary")</script> for food.

<meta http-equiv="refresh" content="0;url=https://evil.example/">

Join us for the barbecue <a href="javascript:alert(1)">here</a> and
<a href="https://www.tps.ca/" onclick="steal()">our site</a>.

<iframe src="https://evil.example/frame"></iframe>
<script>document.location = "https://evil.example/"</script>
<img src="x.png" alt="A grill" onerror="steal()">

| Time | What |
|:-----|-----:|
| 12:00 | Food |
"""


def test_the_allowlist_drops_meta_script_iframe_handlers_and_javascript_urls():
    cleaned = clean_editor_html(
        '<meta http-equiv="refresh" content="0"><p onclick="x()">Hi '
        '<a href="javascript:alert(1)">a</a> <a href="{filename}/pages/about.md">b</a></p>'
        '<h2 id="s">S</h2><td style="text-align: right; color: red">1</td>'
    )
    assert "meta" not in cleaned and "onclick" not in cleaned
    assert "javascript" not in cleaned
    assert 'href="{filename}/pages/about.md"' in cleaned  # Pelican's links survive
    assert '<h2 id="s">' in cleaned and "color" not in cleaned


def test_a_hostile_post_reaches_the_page_without_its_active_content(
    content_copy, tmp_path
):
    (content_copy / "blogs/community-voices/barbecue.md").write_text(HOSTILE)
    build(
        ("public",),
        content=content_copy,
        output_root=tmp_path / "out",
        cache_root=tmp_path / "cache",
    )
    site = tmp_path / "out/public"
    page = (site / "blogs/community-voices/barbecue/index.html").read_text()
    main = page[page.index("<main") :]
    for banned in (
        "evil.example",
        "http-equiv",
        "<script>alert",
        "javascript:",
        "onclick",
        "onerror",
        "<iframe",
        "steal()",
    ):
        assert banned not in main, banned
    assert "Join us for the barbecue" in main
    assert 'alt="A grill"' in main
    assert 'style="text-align:left"' in main  # Markdown table alignment stays
    listing = (site / "blogs/community-voices/index.html").read_text()
    assert 'alert("summary")' not in listing and "for food." in listing
    feed = (site / "blogs/community-voices/feed.atom.xml").read_text()
    assert "evil.example" not in feed and "alert(" not in feed
