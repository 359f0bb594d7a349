"""The account registry refuses look-alikes: URLs off the platform's host,
non-ASCII or invisible characters in handles, and duplicates that differ only
in how they are spelled (NFKC, case, confusables). Every error names the
file, the line and the field."""

from __future__ import annotations

import json

import pytest

from tps.core.paths import CONTENT
from tps.units.directory import load_directory

ACCOUNT = "  handle: TPS22Div\n  url: https://x.com/TPS22Div\n"
UNIT = "units/22-division.yaml"


def problems_after(content, old: str, new: str, unit: str = UNIT):
    path = content / unit
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    _, problems = load_directory(content)
    return problems


def test_the_sample_registry_is_valid():
    directory, problems = load_directory(CONTENT)
    assert problems == [] and len(directory.accounts) > 250


@pytest.mark.parametrize(
    "url",
    [
        "https://x.com.evil.example/TPS22Div",
        "https://x.com@evil.example/TPS22Div",
        "https://evil.example@x.com/TPS22Div",
        "https://x.com:8443/TPS22Div",
        "https://evil.example/TPS22Div",
        "https://xn--80ak6aa92e.com/TPS22Div",
        "https://х.com/TPS22Div",  # Cyrillic х
    ],
)
def test_an_account_url_must_be_on_the_platforms_own_host(content_copy, url):
    [problem] = problems_after(
        content_copy, ACCOUNT, f"  handle: TPS22Div\n  url: {json.dumps(url)}\n"
    )
    assert problem.path == f"content/{UNIT}" and problem.line == 26
    assert problem.field == "accounts.0.url"
    assert url in problem.message


def test_a_mastodon_url_may_be_any_plain_https_host(content_copy):
    old = "https://mastodon.social/@TPS14Div"
    unit = "units/14-division.yaml"
    assert not problems_after(
        content_copy, old, "https://mastodon.example.ca/@TPS14Div", unit
    )
    [problem] = problems_after(
        content_copy,
        "https://mastodon.example.ca/@TPS14Div",
        "https://mastodon.social@evil.example/@TPS14Div",
        unit,
    )
    assert problem.field.endswith(".url") and "no user name" in problem.message


@pytest.mark.parametrize(
    ("handle", "named"),
    [
        ("TPS22Dіv", "U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I"),
        ("TPS22\u200bDiv", "U+200B ZERO WIDTH SPACE"),
        ("TPS22\u202eviD", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("TPS22Div!", "'!'"),
    ],
)
def test_a_handle_is_ascii_per_the_platforms_rules(content_copy, handle, named):
    [problem] = problems_after(
        content_copy,
        ACCOUNT,
        f"  handle: {json.dumps(handle)}\n  url: https://x.com/TPS22Div\n",
    )
    assert (problem.path, problem.line) == (f"content/{UNIT}", 25)
    assert problem.field == "accounts.0.handle"
    assert named in problem.message and "a x handle is" in problem.message


@pytest.mark.parametrize(
    ("handle", "url"),
    [
        ("TPS1lDiv", "https://x.com/TPS1lDiv"),  # 1 and l
        ("tps11div", "https://x.com/tps11div-2"),  # case
        ("TPSllDiv", "https://x.com/TPSIIDiv"),  # I, l and 1 share a shape
    ],
)
def test_look_alike_handles_are_duplicates(content_copy, handle, url):
    problems = problems_after(
        content_copy, ACCOUNT, f"  handle: {handle}\n  url: {url}\n"
    )
    [problem] = [p for p in problems if p.field == "accounts.handle"]
    assert problem.path == f"content/{UNIT}" and problem.line == 25
    assert "already listed" in problem.message and "11-division" in problem.message


def test_the_same_profile_url_spelled_differently_is_a_duplicate(content_copy):
    problems = problems_after(
        content_copy,
        ACCOUNT,
        "  handle: TPS22Div\n  url: https://twitter.com/tps11div/\n",
    )
    [problem] = [p for p in problems if p.field == "accounts.url"]
    assert problem.line == 26 and "11-division" in problem.message


def test_a_member_name_with_a_cyrillic_letter_is_a_duplicate(content_copy):
    unit = "units/22-division.yaml"
    text = (content_copy / unit).read_text()
    assert "- name: Marcus Bell" in text
    other = content_copy / "units/23-division.yaml"
    other_text = other.read_text()
    first = next(
        line for line in other_text.splitlines() if line.startswith("- name: ")
    )
    other.write_text(other_text.replace(first, "- name: Marcus Bеll", 1))
    _, problems = load_directory(content_copy)
    [problem] = [p for p in problems if p.field == "members.name"]
    assert problem.line > 0 and "already a member" in problem.message
