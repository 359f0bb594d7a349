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
