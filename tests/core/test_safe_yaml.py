"""Issue 12: the YAML loader refuses alias bombs, duplicate keys and huge
files quickly, naming the file and line, and never prints a huge value."""

from __future__ import annotations

import time

from tps.site.check import run_checks
from tps.site.validation import validate_tree

BOMB = "\n".join(
    ["name: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"l{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    + ["summary: *a9", ""]
)


def errors(content):
    return [str(p) for p in validate_tree(content) if p.severity == "error"]


def test_an_alias_bomb_in_a_unit_file_fails_check_within_seconds(content_copy):
    (content_copy / "units/bomb-division.yaml").write_text(BOMB)
    started = time.monotonic()
    found = [str(p) for p in run_checks(content_copy) if "bomb-division.yaml" in p.path]
    assert time.monotonic() - started < 30
    assert found and "anchor and alias" in found[0], found
    assert all(len(message) < 300 for message in found)


def test_duplicate_keys_are_refused_naming_the_file_and_line(content_copy):
    path = content_copy / "units/22-division.yaml"
    text = path.read_text()
    path.write_text(text + "phone: 416-808-9999\n")
    line = text.count("\n") + 1
    found = [e for e in errors(content_copy) if "22-division.yaml" in e]
    assert any(
        f"22-division.yaml:{line}:" in e and "appears twice" in e for e in found
    ), found

    blog = content_copy / "blogs/crime-blog/blog.yaml"
    blog.write_text(blog.read_text() + "audience: internal\n")
    assert any(
        "crime-blog/blog.yaml" in e and "appears twice" in e
        for e in errors(content_copy)
    )


def test_a_huge_value_is_not_repeated_in_the_message(content_copy):
    path = content_copy / "units/22-division.yaml"
    text = path.read_text()
    huge = "[" + ", ".join(["x"] * 20000) + "]"
    path.write_text(text.replace("phone: ", f"phone: {huge}\nx_phone: ", 1))
    found = [e for e in errors(content_copy) if "22-division.yaml" in e]
    assert found and all(len(e) < 400 for e in found), [e[:200] for e in found]


def test_an_oversized_file_is_refused(content_copy):
    path = content_copy / "units/22-division.yaml"
    path.write_text(path.read_text() + "#" + "x" * 600_000 + "\n")
    assert any(
        "22-division.yaml" in e and "larger than" in e for e in errors(content_copy)
    )
