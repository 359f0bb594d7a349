"""What cmark-gfm would write otherwise goes to python-markdown, whole: the
page is the one python-markdown wrote (footnotes, attribute lists, code...)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tps.markdown_reader.subset import unsupported

CASES = {
    "footnote": "A claim.[^1]\n\n[^1]: The source.\n",
    "attribute list": "## Heading {: #custom .wide }\n\nText.\n",
    "abbreviation": "The TPS is here.\n\n*[TPS]: Toronto Police Service\n",
    "definition list": "Term\n: Definition\n",
    "code (backticks)": "```python\nprint('x')\n```\n",
    "image": '![A cruiser](images/car.jpg "Title")\n',
    "backslash escape": "Use \\#TPSSMLaunch today.\n",
    "raw HTML or an autolink": '<div markdown="1">*x*</div>\n',
    "indented line": "- one\n    - nested\n",
    "list item without a blank line before it": "Call when:\n- now\n",
    "list after a blank line after a list": "- one\n\n1. two\n",
    "rule or setext underline": "Title\n-----\n",
    "heading without a space or of level 7": "#Heading\n",
    "link address cmark-gfm would percent-encode": "[Montréal](https://fr.wikipedia.org/wiki/Montréal)\n",
    "link with a title or an unusual address": '[a](https://x.ca "T")\n',
    "HTML entity": "Fish &amp; chips &copy;\n",
    "emphasis marker beside a space": "Not ** bold ** here.\n",
    "table not at the start of a block": "Text\n| a | b |\n|---|---|\n| 1 | 2 |\n",
}


@pytest.mark.parametrize("reason", sorted(CASES))
def test_a_construct_outside_the_subset_is_named_and_read_by_python_markdown(
    read_both, reason
):
    text = CASES[reason]
    assert unsupported(text) == reason
    found, _ = read_both("Title: T\n\n" + text)
    assert found is None


def test_footnotes_keep_python_markdowns_markup(tmp_path, settings):
    from tps.site.readcache import CachedMarkdownReader

    settings = dict(settings, CACHE_PATH=str(tmp_path / "cache/pelican-public"))
    source = tmp_path / "post.md"
    source.write_text("Title: T\n\n" + CASES["footnote"])
    content, _ = CachedMarkdownReader(settings).read(str(source))
    soup = BeautifulSoup(content, "html.parser")
    assert soup.sup["id"] == "fnref:1" and soup.sup.a["href"] == "#fn:1"
    assert soup.sup.a["class"] == ["footnote-ref"]
    notes = soup.find("div", class_="footnote")
    assert notes.hr is not None and notes.ol.li["id"] == "fn:1"
    assert notes.find("a", class_="footnote-backref")["href"] == "#fnref:1"


def test_a_summary_outside_the_subset_sends_the_post_to_python_markdown(read_both):
    found, _ = read_both("Title: T\nSummary: A `code` summary\n\nBody.\n")
    assert found is None
