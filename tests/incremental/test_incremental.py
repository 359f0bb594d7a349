"""Rebuilds reuse what did not change (tps/incremental, tps/site/search_index)
and the result is byte for byte the site a full build makes."""

from __future__ import annotations

import datetime as dt
import os
import re
import time

import pytest
from jinja2 import Environment

from tps.core import clock
from tps.incremental.trace import Recorder, Session, TracingContext, replay
from tps.site.build import BuildError, build
from tps.site.golden import FIXED_NOW

# Builds made seconds apart are compared: one clock for all, unless a test
# moves it.
pytestmark = pytest.mark.usefixtures("fixed_now")

FULL = {"INCREMENTAL_RENDERING": False}


def site_files(root):
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def counts(result) -> tuple[int, int]:
    found = re.search(
        r"Incremental rendering: (\d+) pages reused, (\d+) rendered", result.log
    )
    assert found, result.log
    return int(found[1]), int(found[2])


def touch_later(path):
    later = time.time() + 5  # a stamp that differs even on coarse clocks
    os.utime(path, (later, later))


def assert_same_as_a_full_build(content, output, tmp_path, **extra):
    full = tmp_path / f"full-{time.time_ns()}"
    build(content=content, output_root=full, cache_root=tmp_path / "full-cache",
          settings={**FULL, **extra.get("settings", {})})  # fmt: skip
    for site in ("public", "internal"):
        ours, theirs = site_files(output / site), site_files(full / site)
        assert sorted(ours) == sorted(theirs), site
        different = [name for name in ours if ours[name] != theirs[name]]
        assert different == [], (site, different[:5])


@pytest.fixture
def rebuilt(content_copy, tmp_path):
    """Built once over an (empty) previous output, so that build traced every
    page, as the second build of a fresh checkout does: a build traces when it
    replaces an output folder (test_a_first_build_traces_nothing: not without
    one), and this one's previous output had nothing to reuse."""
    output, cache = tmp_path / "output", tmp_path / "cache"
    for site in ("public", "internal"):
        (output / site).mkdir(parents=True)
    results = build(content=content_copy, output_root=output, cache_root=cache)
    for result in results:
        assert counts(result)[0] == 0, "nothing to reuse: every page was traced"
    return content_copy, output, cache


def inode(path) -> int:
    return path.stat().st_ino


def test_an_unchanged_rebuild_renders_nothing(rebuilt):
    content, output, cache = rebuilt
    untouched = output / "public/blogs/crime-blog/grandparent-scam-warning/index.html"
    before = inode(untouched)
    results = build(content=content, output_root=output, cache_root=cache)
    # The social activity pages say how long ago each post was, as text
    # ("2 days ago"): reused while that text stays the same. The intranet's
    # moderation queue cannot be traced (it renders every build).
    assert counts(results[0]) == (185, 0), results[0].log
    assert counts(results[1])[1] <= 1, results[1].log
    assert inode(untouched) == before, "linked from the previous build, not rendered"
    assert (
        "Search index: 6 shards, 6 unchanged and reused; indexed: none"
        in results[0].log
    )


def test_pages_that_say_how_long_ago_render_again_when_that_changes(
    content_copy, tmp_path, monkeypatch
):
    """Two days later "1 day ago" reads "3 days ago": those pages, and only
    pages that show a time, are rendered again, and match a full build."""
    output, cache = tmp_path / "output", tmp_path / "cache"
    for site in ("public", "internal"):
        (output / site).mkdir(parents=True)
    monkeypatch.setenv(clock.ENV, FIXED_NOW)
    build(content=content_copy, output_root=output, cache_root=cache)
    later = clock.fixed() + dt.timedelta(days=2)
    monkeypatch.setenv(clock.ENV, later.isoformat())
    untouched = output / "public/blogs/crime-blog/grandparent-scam-warning/index.html"
    before = inode(untouched)
    results = build(content=content_copy, output_root=output, cache_root=cache)
    reused, rendered = counts(results[0])
    river = len(list((output / "public/social-media/activity").rglob("index.html")))
    assert river <= rendered < reused, results[0].log
    assert inode(untouched) == before
    assert_same_as_a_full_build(content_copy, output, tmp_path)


def test_the_suites_incremental_builds_verify_every_reused_page(rebuilt):
    """conftest.py sets TPS_INCREMENTAL_VERIFY=1: each reused page was
    rendered anyway and gave the bytes of the file it reused."""
    content, output, cache = rebuilt
    results = build(content=content, output_root=output, cache_root=cache)
    for result in results:
        reused, _ = counts(result)
        assert (
            f"INCREMENTAL_VERIFY: {reused} reused pages rendered anyway, every one"
            " the same" in result.log
        ), result.log


def test_verify_names_a_reused_page_that_renders_differently(rebuilt):
    """A previous output changed behind the trace's back (same size, time and
    inode, so the trace alone would trust it): the verify mode catches it."""
    content, output, cache = rebuilt
    page = output / "public/blogs/crime-blog/grandparent-scam-warning/index.html"
    before = page.stat()
    data = page.read_bytes()
    at = data.index(b"</title>") - 1
    with page.open("r+b") as handle:  # in place: the inode stays
        handle.seek(at)
        handle.write(b"X" if data[at : at + 1] != b"X" else b"Y")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(BuildError) as error:
        build(content=content, output_root=output, cache_root=cache)
    assert (
        "INCREMENTAL_VERIFY: blogs/crime-blog/grandparent-scam-warning/index.html"
        in (str(error.value))
    )
    assert "renders differently" in str(error.value)


def test_an_edited_post_rebuilds_its_pages_and_its_blogs_search_shard(
    rebuilt, tmp_path
):
    content, output, cache = rebuilt
    post = content / "blogs/traffic-services/winter-driving.md"
    post.write_text(
        post.read_text().replace("Title: ", "Title: Updated: ", 1)
        + "\nEdited after the first build: check your wipers.\n"
    )
    touch_later(post)
    other = output / "public/blogs/crime-blog/grandparent-scam-warning/index.html"
    before = inode(other)
    results = build(content=content, output_root=output, cache_root=cache)
    page = (
        output / "public/blogs/traffic-services/winter-driving/index.html"
    ).read_text()
    assert "check your wipers" in page and "Updated: " in page
    assert inode(other) == before
    indexed = re.search(r"indexed: (.*)", results[0].log)[1].split(", ")
    # The blog's shard, and the site's own (the home page lists the new title);
    # the other blogs' shards are the previous build's.
    assert "pagefind/shards/traffic-services" in indexed
    assert not any("crime-blog" in shard for shard in indexed), indexed
    assert_same_as_a_full_build(content, output, tmp_path)


def test_a_new_tag_a_removed_post_and_a_changed_setting_match_a_full_build(
    rebuilt, tmp_path
):
    content, output, cache = rebuilt
    tagged = content / "blogs/crime-blog/grandparent-scam-warning.md"
    tagged.write_text(
        re.sub(r"(?m)^Tags: ", "Tags: Seniors alert, ", tagged.read_text())
    )
    touch_later(tagged)
    (content / "blogs/community-voices/youth-basketball-league.md").unlink()
    nav = {"FOOTER_LINKS": [("Accessibility", "accessibility/")]}
    results = build(content=content, output_root=output, cache_root=cache, settings=nav)
    assert (output / "public/tags/seniors-alert/index.html").is_file()
    assert not (
        output / "public/blogs/community-voices/youth-basketball-league"
    ).exists()
    reused, _ = counts(results[0])
    assert reused == 0, "every page shows the footer links"
    assert_same_as_a_full_build(content, output, tmp_path, settings=nav)


def test_a_first_build_traces_nothing(content_copy, tmp_path):
    results = build(content=content_copy, output_root=tmp_path / "out")
    assert "Incremental rendering" not in results[0].log


# --- the trace itself, on a small template ---------------------------------------


class Post:
    def __init__(self, title, friend=None):
        self.title, self.friend = title, friend


def render_and_trace(source: str, context: dict):
    env = Environment(autoescape=True)
    slot = [None]
    plain = env.getattr

    def getattr_(obj, name):
        value = plain(obj, name)
        if slot[0] is not None:
            slot[0].read("a", obj, name, value)
        return value

    env.getattr = getattr_
    env.context_class = type("C", (TracingContext,), {"recorder_slot": slot})
    recorder = Recorder(context, env.globals)
    slot[0] = recorder
    output = env.from_string(source).render(context)
    slot[0] = None
    return output, recorder, plain


def test_a_replay_sees_a_changed_attribute_and_only_what_was_read():
    source = "{{ post.title }} {% for p in posts %}{{ p.friend.title }}{% endfor %}"
    a, b = Post("A"), Post("B")
    _, recorder, plain = render_and_trace(
        source, {"post": a, "posts": [Post("x", b)], "unused": Post("u")}
    )
    assert recorder.unreplayable is None
    same = {"post": Post("A"), "posts": [Post("y", Post("B"))], "unused": Post("zz")}
    assert replay(recorder.entries, same, {}, plain, None)
    changed = {"post": Post("A"), "posts": [Post("x", Post("C"))], "unused": Post("u")}
    assert not replay(recorder.entries, changed, {}, plain, None)


def test_reaching_one_object_two_ways_is_checked_both_ways():
    """A template that reads an object through one path and then lists it
    through another must see the change when the two paths part."""
    source = "{{ post.friend.title }}{% for p in everyone %}{{ p.title }}{% endfor %}"
    shared = Post("S")
    _, recorder, plain = render_and_trace(
        source, {"post": Post("p", shared), "everyone": [shared]}
    )
    apart = {"post": Post("p", Post("S")), "everyone": [Post("T")]}
    assert not replay(recorder.entries, apart, {}, plain, None)


def test_an_object_the_trace_cannot_key_makes_the_page_render_every_time():
    source = "{% for p in (posts|list)[0:1] %}{{ p.title }}{% endfor %}"
    _, recorder, _ = render_and_trace(source, {"posts": iter([Post("a")])})
    assert recorder.unreplayable


def test_digests_of_the_same_data_are_equal_across_sessions():
    assert Session().digest(["a" * 200, 3, ("x", None)]) == Session().digest(
        ["a" * 200, 3, ("x", None)]
    )


class Shelf:
    """Iterable without being a list: what it yields counts as its value."""

    def __init__(self, *titles):
        self.titles = titles

    def __iter__(self):
        return iter(self.titles)


def test_looping_over_an_iterable_object_is_checked():
    source = "{% for t in post.friend %}{{ t }}{% endfor %}"
    _, recorder, plain = render_and_trace(source, {"post": Post("p", Shelf("a", "b"))})
    assert recorder.unreplayable is None
    assert replay(
        recorder.entries, {"post": Post("p", Shelf("a", "b"))}, {}, plain, None
    )
    assert not replay(
        recorder.entries, {"post": Post("p", Shelf("a", "c"))}, {}, plain, None
    )


def test_a_generator_cannot_be_checked_again():
    source = "{% for t in post.friend %}{{ t }}{% endfor %}"
    _, recorder, _ = render_and_trace(source, {"post": Post("p", (t for t in "ab"))})
    assert recorder.unreplayable
