"""Issue 12: content the build would skip or publish unchecked is refused by
`check`, naming the file."""

from __future__ import annotations

import pytest

from tps.core.problems import ContentError
from tps.site.build import build
from tps.site.validation import validate_tree

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

    from tps.core.paths import SETTINGS

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
    from tps.site.leakcheck import find_leaks

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
        leak.startswith("support.md: a copy of content/internal/support.md")
        for leak in leaks
    ), leaks
    assert any(
        leak.startswith("images/r.png: a copy of content/internal/images/roster.png")
        for leak in leaks
    ), leaks
    assert not any(leak.startswith("clean.txt") for leak in leaks)


def test_two_files_making_the_same_slug_fail_check(content_copy):
    blog = content_copy / "blogs/crime-blog"
    text = (blog / "grandparent-scam-warning.md").read_text()
    (blog / "Grandparent Scam Warning.md").write_text(text)
    found = [e for e in errors(content_copy) if "Grandparent Scam Warning.md" in e]
    assert found and "grandparent-scam-warning/index.html" in found[0], found
    assert "grandparent-scam-warning.md" in found[0] and "already writes" in found[0]


PAGE = "Title: Odd page\n{extra}\nHello.\n"


@pytest.mark.parametrize(
    "extra, message",
    [
        ("URL: https://evil.example/x/", "must be a path inside the site"),
        ("Save_as: ../../etc/x.html", "must be a path inside the site"),
        ("Save_as: /index.html", "must be a path inside the site"),
        ("Save_as: about/index.html", "content/pages/about.md already writes"),
        (
            "Save_as: blogs/crime-blog/grandparent-scam-warning/index.html",
            "already writes",
        ),
    ],
)
def test_save_as_and_url_stay_inside_the_site_and_do_not_collide(
    content_copy, extra, message
):
    (content_copy / "pages/odd.md").write_text(PAGE.format(extra=extra))
    found = [e for e in errors(content_copy) if "odd.md" in e]
    assert any(message in e for e in found), found


def test_invalid_utf8_is_reported_naming_the_file_and_check_does_not_crash(
    content_copy,
):
    from tps.site.check import run_checks

    post = content_copy / "blogs/traffic-services/latin1.md"
    post.write_bytes(
        b"Title: Caf\xe9 safety\nDate: 2026-07-27 09:30\nAuthor: Marcus Bell\n\nx\n"
    )
    unit = content_copy / "units/22-division.yaml"
    unit.write_bytes(unit.read_bytes() + b"# caf\xe9\n")
    found = [str(p) for p in run_checks(content_copy) if p.severity == "error"]
    assert any("latin1.md:1:" in e and "not valid UTF-8" in e for e in found), found
    assert any("22-division.yaml" in e and "not valid UTF-8" in e for e in found)


def test_a_read_only_output_folder_is_a_clear_error(content_copy, tmp_path):
    import os

    from tps.site.build import BuildError

    blocked = tmp_path / "a-file"
    blocked.write_text("")  # as root, permissions are not enforced: a file is
    with pytest.raises(BuildError, match=r"cannot write to .*a-file/out"):
        build(("public",), content=content_copy, output_root=blocked / "out")
    output = tmp_path / "out"
    output.mkdir()
    output.chmod(0o555)
    try:
        if not os.access(output, os.W_OK):
            with pytest.raises(BuildError, match=r"cannot write to .*out"):
                build(("public",), content=content_copy, output_root=output)
    finally:
        output.chmod(0o755)


@pytest.mark.parametrize(
    "plant",
    ["attach", "static", "rst", "symlink"],
)
def test_no_leak_path_reaches_a_release(content_copy, tmp_path, plant):
    """Issue 12's leak paths: publish stops at the build, naming the file, and
    no release exists."""
    from tps.site.publish import PublishError, publish

    blog = content_copy / "blogs/traffic-services"
    if plant == "attach":
        public_post(content_copy, "[a]({attach}/internal/support.md)\n")
    elif plant == "static":
        public_post(content_copy, "[a](|static|/internal/support.md)\n")
    elif plant == "rst":
        (blog / "leaked-roster.rst").write_text(RST_POST)
    else:
        (content_copy / "images").mkdir(exist_ok=True)
        (content_copy / "images/intra").symlink_to("../internal")
    target = tmp_path / "srv"
    with pytest.raises(PublishError, match="build") as raised:
        publish(
            ("public",),
            str(target),
            content=content_copy,
            lock=tmp_path / "lock",
            audit=False,
        )
    named = {
        "attach": "linking.md",
        "static": "linking.md",
        "rst": "leaked-roster.rst",
        "symlink": "images/intra",
    }
    assert named[plant] in str(raised.value)
    assert not (target / "public/releases").exists() or not any(
        (target / "public/releases").iterdir()
    )
