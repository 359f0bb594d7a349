"""Issue 12: content the build would skip or publish unchecked is refused by
`check`, naming the file."""

from __future__ import annotations

import pytest

from content_model import ContentError, validate_tree
from sitebuild.build import build

RST_POST = """Leaked roster
#############

:date: 2026-07-27 09:30
:author: Marcus Bell
:audience: Internal

Internal only: the night shift roster.
"""
HTML_POST = """<html><head><title>Leaked roster</title>
<meta name="audience" content="Internal"><meta name="date" content="2026-07-27"></head>
<body>Internal only.</body></html>
"""


def errors(content):
    return [str(p) for p in validate_tree(content) if p.severity == "error"]


@pytest.mark.parametrize(
    "name, text",
    [
        ("leaked-roster.rst", RST_POST),
        ("leaked-roster.html", HTML_POST),
        ("leaked-roster.markdown", "Title: Leaked\nAudience: internal\n\nx\n"),
    ],
)
def test_a_post_in_another_format_fails_check_naming_it(content_copy, name, text):
    (content_copy / "blogs/traffic-services" / name).write_text(text)
    found = [e for e in errors(content_copy) if name in e]
    assert found and "Markdown (.md)" in found[0], errors(content_copy)


def test_an_rst_post_marked_internal_never_reaches_the_public_site(
    content_copy, tmp_path
):
    """Even if the check were skipped, Pelican no longer reads reST or HTML."""
    from pelican.settings import get_settings_from_file

    from sitebuild.paths import SETTINGS

    readers = get_settings_from_file(str(SETTINGS["public"]))["READERS"]
    assert readers["rst"] is None and readers["html"] is None
    (content_copy / "blogs/traffic-services/leaked-roster.rst").write_text(RST_POST)
    with pytest.raises(ContentError, match=r"leaked-roster\.rst"):
        build(("public",), content=content_copy, output_root=tmp_path / "out")
    assert not (tmp_path / "out/public").exists()


def test_a_dot_file_post_is_reported_not_silently_ignored(content_copy):
    (content_copy / "blogs/traffic-services/..md").write_text("Title: Dots\n\nx\n")
    assert any("..md" in e and "starting with '.'" in e for e in errors(content_copy))


def public_post(content, body: str) -> None:
    (content / "blogs/traffic-services/linking.md").write_text(
        "Title: Linking post\nDate: 2026-07-27 09:30\nAuthor: Marcus Bell\n\n" + body
    )


def internal_image(content) -> bytes:
    folder = content / "internal/images"
    folder.mkdir(parents=True, exist_ok=True)
    data = b"\x89PNG\r\n\x1a\n" + b"internal roster image" * 10
    (folder / "roster.png").write_bytes(data)
    return data


@pytest.mark.parametrize(
    "link",
    [
        "[a]({attach}/internal/support.md)",
        "[a](|static|/internal/support.md)",
        "[a](|attach|/internal/support.md)",
        "[a]({static|/internal/support.md)",
        "![a]({attach}/internal/images/roster.png)",
        "![a](|static|../../internal/images/roster.png)",
        "[a]({filename}/internal/support%2Emd)",
        '<a href="|attach|/internal/support.md">a</a>',
    ],
)
def test_every_link_syntax_to_internal_content_fails_check(content_copy, link):
    internal_image(content_copy)
    public_post(content_copy, f"See {link}.\n")
    found = [e for e in errors(content_copy) if "linking.md" in e]
    assert any("links to internal content" in e for e in found), (link, found)


def test_a_link_in_the_summary_and_one_outside_the_content_tree_fail(content_copy):
    (content_copy / "blogs/traffic-services/linking.md").write_text(
        "Title: Linking post\nDate: 2026-07-27 09:30\nAuthor: Marcus Bell\n"
        "Summary: see [a]({attach}/internal/support.md)\n\n[b]({static}/../../etc/hostname)\n"
    )
    found = [e for e in errors(content_copy) if "linking.md" in e]
    assert any(":4: link: public content links to internal" in e for e in found), found
    assert any("outside the content folder" in e for e in found), found


@pytest.mark.parametrize("points_to", ["../internal", "/etc/hostname"])
def test_a_symlink_in_the_content_tree_fails_check_naming_it(content_copy, points_to):
    (content_copy / "images").mkdir(exist_ok=True)
    (content_copy / "images/intra").symlink_to(points_to)
    found = [e for e in errors(content_copy) if "images/intra" in e]
    assert found and "symbolic link" in found[0], errors(content_copy)


def test_the_leak_check_reads_every_file_type(content_copy, tmp_path):
    from sitebuild.leakcheck import find_leaks

    image = internal_image(content_copy)
    public = tmp_path / "public"
    (public / "images").mkdir(parents=True)
    (public / "clean.txt").write_text("nothing to see")
    (public / "support.md").write_bytes(
        (content_copy / "internal/support.md").read_bytes()
    )
    (public / "images/r.png").write_bytes(image)
    leaks = find_leaks(public, content_copy)
    assert any(
        leak.startswith("support.md: a copy of content/internal/support.md") for leak in leaks
    ), leaks
    assert any(
        leak.startswith("images/r.png: a copy of content/internal/images/roster.png")
        for leak in leaks
    ), leaks
    assert not any(leak.startswith("clean.txt") for leak in leaks)
