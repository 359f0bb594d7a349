"""Every construct the content and the benchmark corpus use, converted by
cmark-gfm (tps.markdown_reader), checked in the markup and against what
python-markdown (the site's former reader) writes for the same text."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

HEADER = """Title: Winter tires: what the law says
Date: 2026-11-25 10:42
Author: Marcus Bell
Unit: 22-division
Tags: Road safety, Winter driving,
    Vision Zero
Summary: Don't wait for the first snow -- it's "tire season" now...

"""

POST = (
    HEADER
    + """It's the Service's advice: "check your tires" -- or 'ask us' --- today... \
The '90s are over; members' cars and 24/7 patrols.

## Winter tires: what's "required"?

Call **416-808-2222** or read [our advice]({filename}/pages/contact.md) about *snow*.
See the [unit directory](/units/) and [the registry](https://www.tps.ca/a_b?c=d&e=f#g).

## Winter tires: what's "required"?

- someone's life is in danger
- a crime is happening now

Then:

1. **Check the [account registry](/social-media/accounts/).** It's listed.
2. Report it.

| What you need | How to reach us | When |
|:---|---:|:-:|
| An emergency | 911 | 24 hours a day |
| A division's "front desk" | See the [unit directory](/units/) | Most -- not all |

> Not monitored 24/7. In an emergency call 911.

### Same_1

A line that ends with two spaces"""
    + "  \n"
    + """and goes on. AT&T and a < b.
"""
)


@pytest.fixture
def post(read_both):
    found, expected = read_both(POST)
    assert found is not None, "every construct here is in cmark-gfm's part"
    return found, expected


def test_the_post_is_what_python_markdown_wrote(post):
    found, expected = post
    assert found == expected


def test_smart_quotes_dashes_and_ellipses_are_characters(post):
    soup = BeautifulSoup(post[0][0], "html.parser")
    first = soup.p.get_text()
    assert first.startswith(
        "It’s the Service’s advice: “check your tires” – or ‘ask us’ — today…"
    )
    assert "The ’90s are over; members’ cars and 24/7 patrols." in first
    assert "&rsquo;" not in post[0][0] and "'" not in first


def test_heading_ids_are_tocs_slugs_made_unique(post):
    soup = BeautifulSoup(post[0][0], "html.parser")
    ids = [h["id"] for h in soup.find_all(["h2", "h3"])]
    assert ids == [
        "winter-tires-whats-required",
        "winter-tires-whats-required_1",
        "same_1",
    ]


def test_tables_keep_header_body_and_alignment(post):
    table = BeautifulSoup(post[0][0], "html.parser").table
    assert [th.get_text() for th in table.thead.find_all("th")] == [
        "What you need",
        "How to reach us",
        "When",
    ]
    assert [th.get("style") for th in table.thead.find_all("th")] == [
        "text-align:left",
        "text-align:right",
        "text-align:center",
    ]
    cells = [td.get_text() for td in table.tbody.find_all("tr")[1].find_all("td")]
    assert cells == [
        "A division’s “front desk”",
        "See the unit directory",
        "Most – not all",
    ]


def test_pelican_links_lists_and_inline_markup(post):
    soup = BeautifulSoup(post[0][0], "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert "{filename}/pages/contact.md" in hrefs
    assert "https://www.tps.ca/a_b?c=d&e=f#g" in hrefs
    assert [li.get_text() for li in soup.ul.find_all("li")] == [
        "someone’s life is in danger",
        "a crime is happening now",
    ]
    assert soup.ol.get("start") is None and soup.ol.li.strong.a
    assert (
        soup.blockquote.p.get_text() == "Not monitored 24/7. In an emergency call 911."
    )
    assert soup.find("br") and "AT&amp;T and a &lt; b." in post[0][0]


def test_the_header_is_pelicans_metadata(post):
    _, metadata = post[0]
    assert metadata["title"] == "'Winter tires: what the law says'"
    # Pelican keeps the first line of a field it does not allow twice (Tags).
    assert metadata["tags"] == "[<Tag 'Road safety'>, <Tag 'Winter driving'>]"
    assert metadata["summary"] == (
        "'<p>Don’t wait for the first snow – it’s “tire season” now…</p>'"
    )


@pytest.mark.parametrize(
    "text",
    [
        "3. three\n4. four\n",
        "2026. The year the program started.\n",
        "Text with a | pipe and 5*3 = 15.\n",
        "# Same\n\n# Same\n\n# Same_1\n\n# Same\n",
        "**bold**text and *em*text and snake_case_names.\n",
        "## Ontario’s — “new” rules: 2026…\n",
        "Line one\nline two\n\n> one\n> two\n",
        "She said \"it's 'fine'\". 'Tis the '60s, rock 'n' roll, 5'10\".\n",
        "| a | b |\n|---|---|\n| 1 |\n| 1 | 2 | 3 |\n",
        "a | b\n--|--\n1 | 2\n",
    ],
)
def test_more_constructs_agree(read_both, text):
    found, expected = read_both("Title: T\n\n" + text)
    assert found == expected
