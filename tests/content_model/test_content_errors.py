"""Bad content stops the build with file, field and reason, and output/ is untouched."""

from __future__ import annotations

import filecmp
import subprocess
import sys

import pytest

from tps.core.paths import ROOT
from tps.core.problems import ContentError
from tps.site.build import build

GOOD_POST = "Title: Fine\nDate: 2026-10-01 09:00\nAuthor: Jane Roe\n\nText.\n"


def post(**fields) -> str:
    lines = {"Title": "Fine", "Date": "2026-10-01 09:00", "Author": "Jane Roe"}
    lines.update(fields)
    return (
        "".join(f"{k}: {v}\n" for k, v in lines.items() if v is not None) + "\nText.\n"
    )


CASES = {
    "missing title": (
        "blogs/crime-blog/bad.md",
        post(Title=None),
        "content/blogs/crime-blog/bad.md:1: Title: is required but missing",
    ),
    "bad date": (
        "blogs/crime-blog/bad.md",
        post(Date="2026-02-30 10:00"),
        "content/blogs/crime-blog/bad.md:2: Date: '2026-02-30 10:00' is not a date",
    ),
    "unknown audience": (
        "blogs/crime-blog/bad.md",
        post(Audience="staff"),
        "content/blogs/crime-blog/bad.md:4: Audience: 'staff' is not allowed",
    ),
    "unknown blog": (
        "blogs/no-such-blog/bad.md",
        GOOD_POST,
        "content/blogs/no-such-blog/bad.md: unknown blog 'no-such-blog'",
    ),
    "misspelt field": (
        "blogs/crime-blog/bad.md",
        post(Tilte="Oops"),
        "content/blogs/crime-blog/bad.md:4: Tilte: unknown field (did you mean 'title'?)",
    ),
    "public post in internal blog": (
        "blogs/the-badge/bad.md",
        post(Audience="public"),
        "content/blogs/the-badge/bad.md:4: Audience: a post in an internal blog cannot be public",
    ),
    "unknown unit": (
        "blogs/crime-blog/bad.md",
        post(Unit="99-division"),
        "content/blogs/crime-blog/bad.md:4: Unit: unknown unit '99-division'",
    ),
    "broken internal link": (
        "blogs/crime-blog/bad.md",
        GOOD_POST + "[x]({filename}/pages/nope.md)\n",
        "content/blogs/crime-blog/bad.md:6: link: '/pages/nope.md' does not exist",
    ),
    "public links to internal": (
        "pages/leak.md",
        "Title: Leak\n\nSee [this]({filename}/internal/support.md).\n",
        "content/pages/leak.md:3: link: public content links to internal content",
    ),
    "hashtag at line start": (
        "blogs/crime-blog/bad.md",
        GOOD_POST + "#TPSSMLaunch is today\n",
        "content/blogs/crime-blog/bad.md:6: heading: a line starting with # becomes a second page title: write \\#TPSSMLaunch",
    ),
    "bad blog.yaml": (
        "blogs/crime-blog/blog.yaml",
        "title: Crime Blog\ndescription: x\naudience: everyone\n",
        "content/blogs/crime-blog/blog.yaml:3: audience: 'everyone' is not allowed",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_content_is_reported_with_file_line_field_and_reason(content_copy, case):
    relative, text, expected = CASES[case]
    target = content_copy / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    with pytest.raises(ContentError) as raised:
        build(
            ("public",),
            content=content_copy,
            output_root=content_copy.parent / "output",
        )
    assert expected in str(raised.value)


def test_all_problems_are_reported_at_once(content_copy):
    (content_copy / "blogs/crime-blog/one.md").write_text(post(Title=None))
    (content_copy / "blogs/traffic-services/two.md").write_text(post(Date="yesterday"))
    with pytest.raises(ContentError) as raised:
        build(content=content_copy, output_root=content_copy.parent / "output")
    assert len(raised.value.problems) == 2


def test_a_failed_build_leaves_the_previous_output_untouched(content_copy, tmp_path):
    output = tmp_path / "output"
    build(content=content_copy, output_root=output)
    snapshot = tmp_path / "snapshot"
    import shutil

    shutil.copytree(output, snapshot)
    (content_copy / "blogs/crime-blog/bad.md").write_text(post(Date="not a date"))
    with pytest.raises(ContentError):
        build(content=content_copy, output_root=output)
    comparison = filecmp.dircmp(output, snapshot)
    assert (
        not comparison.diff_files
        and not comparison.left_only
        and not comparison.right_only
    )
    assert sorted(p.name for p in output.iterdir()) == [
        "internal",
        "public",
    ]  # no staging left


def test_a_template_error_mid_build_leaves_no_staging_folder(
    content_copy, tmp_path, monkeypatch
):
    from tps.site import build as build_module

    output = tmp_path / "output"
    build(("public",), content=content_copy, output_root=output)
    before = (output / "public/index.html").read_bytes()
    monkeypatch.setitem(build_module.SETTINGS, "public", tmp_path / "broken.conf.py")
    (tmp_path / "broken.conf.py").write_text(
        (ROOT / "pelican.conf.py")
        .read_text()
        .replace('THEME = "theme"', f'THEME = "{tmp_path}/no-theme"')
    )
    with pytest.raises(build_module.BuildError):
        build(("public",), content=content_copy, output_root=output)
    assert (output / "public/index.html").read_bytes() == before
    assert sorted(p.name for p in output.iterdir()) == ["public"]


def test_new_post_then_check_round_trip(content_copy):
    from tps.site.check import run_checks
    from tps.site.newpost import new_post

    path = new_post(
        "traffic-services",
        "Winter tires: what the law says",
        author="Marcus Bell",
        unit="22-division",
        content=content_copy,
    )
    assert (
        path
        == content_copy / "blogs/traffic-services/winter-tires-what-the-law-says.md"
    )
    text = path.read_text()
    assert "Status: draft" in text and "Title: Winter tires: what the law says" in text
    assert [p for p in run_checks(content_copy) if p.severity == "error"] == []


def test_new_post_refuses_an_unknown_blog_and_an_existing_file(content_copy):
    from tps.site.newpost import NewPostError, new_post

    with pytest.raises(NewPostError, match="unknown blog 'nope'; the blogs are: "):
        new_post("nope", "Hello", content=content_copy)
    new_post("crime-blog", "Hello", author="A", content=content_copy)
    with pytest.raises(NewPostError, match="already exists"):
        new_post("crime-blog", "Hello", author="A", content=content_copy)


def invoke(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_invoke_check_passes_on_the_sample_content():
    result = invoke("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stderr


def test_invoke_new_post_explains_an_unknown_blog():
    result = invoke("new-post", "--blog", "nope", "--title", "Hi")
    assert result.returncode == 1
    assert "unknown blog 'nope'" in result.stderr
