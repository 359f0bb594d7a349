"""The monitoring's text checks: Canadian English, what is never a spelling
mistake, each rule on its sample and on clean text, silencing, invoke check."""

from __future__ import annotations

import datetime as dt
import runpy
import subprocess
import sys

import pytest

from tps.core.paths import CONTENT, ROOT
from tps.governance.checks.profiles import (
    ProfileOwner,
    check_bio,
    check_display_name,
    check_review,
)
from tps.governance.checks.spelling import check_spelling
from tps.governance.checks.terms import load_terms
from tps.governance.findings import Finding, Subject
from tps.governance.project import load_setup
from tps.governance.silence import load_silences
from tps.governance.wordlist import service_words
from tps.units import load_directory

CANADIAN = [
    "neighbourhood",
    "colour",
    "centre",
    "licence",
    "defence",
    "behaviour",
    "honour",
    "favourite",
    "labour",
    "cheque",
    "organization",
    "travelled",
    "cancelled",
    "catalogue",
    "theatre",
    "offence",
]
MISSPELLED = {
    "recieve": "receive",
    "definately": "definitely",
    "seperate": "separate",
    "occured": "occurred",
    "acommodate": "accommodate",
    "untill": "until",
    "goverment": "government",
    "neccessary": "necessary",
}


@pytest.fixture(scope="module")
def directory():
    found, problems = load_directory(CONTENT)
    assert problems == []
    return found


@pytest.fixture(scope="module")
def checker(directory):
    settings = runpy.run_path(str(ROOT / "pelican.conf.py"))
    paths = {"", "units/", "units/53-division/", "social-media/accounts/"}
    setup = load_setup(CONTENT, directory, settings, site_paths=paths)
    assert setup.problems == []
    return setup.checker


def rules(hits) -> set[str]:
    return {hit.rule for hit in hits}


@pytest.mark.parametrize("word", CANADIAN)
def test_canadian_spellings_pass(word):
    assert check_spelling(f"The {word} was mentioned at the meeting.") == []


@pytest.mark.parametrize(("word", "right"), MISSPELLED.items())
def test_real_misspellings_are_caught_with_a_suggestion(word, right):
    text = f"Residents will {word} a letter."
    [hit] = check_spelling(text)
    assert text[hit.start : hit.end] == word
    assert hit.suggestion == right


@pytest.mark.parametrize(
    "text",
    [
        "Follow #TPSSMLaunch and #Qwzxyv today",
        "Thanks @TPS53Div and @Qwzxyv@mastodon.social",
        "See https://x.com/Qwzxyv/status/123?ref=abcdefg and www.qwzxyv.ca/xyzzy",
        "Read tps.ca/units/qwzxyv for details",
        "Officers 🚓👮‍♀️ at the 53rd annual 10K, M4R 2G9, 2026",
        'The "Bloor Qwzxyv Blazers" team won.',
        "Write to qwzxyv.smith@torontopolice.on.ca",
    ],
)
def test_urls_handles_hashtags_emoji_numbers_and_quoted_names_are_never_flagged(
    text,
):
    assert check_spelling(text) == []


def test_service_words_come_from_the_unit_files_and_the_wordlist(directory):
    text = "Meet us on Eglinton Avenue in Leslieville, said Superintendent Khan (CPLC)."
    assert {text[h.start : h.end] for h in check_spelling(text)} >= {
        "Eglinton",
        "Leslieville",
        "CPLC",
    }
    words = service_words(directory, CONTENT / "governance" / "wordlist.txt")
    assert check_spelling(text, words) == []


def test_french_sentences_of_bilingual_posts_are_not_english_misspellings():
    text = (
        "Réunion mensuelle jeudi soir, joignez-vous à nous! Monthly meeting, recieve."
    )
    assert [text[h.start : h.end] for h in check_spelling(text)] == ["recieve"]


SAMPLES = {
    "spelling": ("We will recieve donations.", "We will receive donations."),
    "style": ("We will utilize the new lot.", "We will use the new lot."),
    "inappropriate": (
        "Damn, that wind off the lake was cold.",
        "That wind off the lake was cold.",
    ),
    "personal-info": (
        "If you found them, call Sarah at 647-555-0143.",
        "If you found them, call 53 Division at 416-808-5300 or 416-808-2222.",
    ),
    "broken-link": (
        "Details at https://www.tps.ca/units/no-such-unit/",
        "Details at https://www.tps.ca/units/53-division/",
    ),
    "unofficial-account": (
        "Follow x.com/SomeFakeTPS for road closures.",
        "Follow x.com/TPS53Div for road closures.",
    ),
}
MORE_PERSONAL = [
    "Email jane.doe@gmail.com with tips.",
    "The car with plate CBTX 123 was found.",
    "The victim lives at 12 Maple Street near the park.",
    "Licence plate ABC 123 was seen leaving.",
]


@pytest.mark.parametrize("rule", SAMPLES)
def test_each_rule_fires_on_its_sample_and_not_on_clean_text(checker, rule):
    bad, clean = SAMPLES[rule]
    assert rule in rules(checker.hits(bad, platform="x"))
    assert checker.hits(clean, platform="x") == []


@pytest.mark.parametrize("text", MORE_PERSONAL)
def test_personal_information_patterns(checker, text):
    assert rules(checker.hits(text)) == {"personal-info"}


def test_service_emails_and_acronyms_with_numbers_are_not_personal(checker):
    text = (
        "Write to d53@torontopolice.on.ca or media@tps.ca; TTY 416-467-0493; SHA-256."
    )
    assert checker.hits(text) == []


def test_a_mention_of_an_unofficial_look_alike_handle(checker):
    assert rules(checker.hits("Thanks @TPS_53_Division!", platform="x")) == {
        "unofficial-account"
    }
    assert checker.hits("Thanks @TPS53Div and @TTCnotices!", platform="x") == []


def test_profile_guidelines():
    unit = ProfileOwner("53 Division")
    member = ProfileOwner("Traffic Services", "Jasmine Ho")
    assert check_display_name("TPS 53 Division", unit) == []
    assert check_display_name("Toronto Police 53 Division", unit) == []
    assert {h.rule for h in check_display_name("Midtown Safety", unit)} == {
        "profile-name"
    }
    assert check_display_name("PC Jasmine Ho, TPS", member) == []
    assert check_display_name("Jasmine's road tips", member)[0].suggestion == (
        "PC Jasmine Ho, TPS"
    )
    good = "Not monitored 24/7. In an emergency call 911. https://www.tps.ca"
    assert check_bio(good) == []
    assert {h.rule for h in check_bio("Traffic cop, cyclist, coffee.")} == {
        "profile-disclaimer",
        "profile-link",
    }
    assert check_review(dt.date(2026, 11, 24), dt.date(2026, 11, 24)) == []
    [late] = check_review(dt.date(2026, 11, 20), dt.date(2026, 11, 25))
    assert late.rule == "review-overdue" and "5 days ago" in late.message


def finding(rule: str, word: str, item: str = "post-1") -> Finding:
    from tps.governance.findings import Excerpt

    return Finding(rule, "msg", Subject(item_id=item), Excerpt("a ", word, " b"))


def test_silencing_per_word_and_per_item(tmp_path):
    path = tmp_path / "silenced.yaml"
    path.write_text(
        "- word: Scarborough\n  rule: spelling\n  reason: a place name\n"
        "  reviewed_by: A. Singh\n"
        "- item: post-9\n  reason: an approved appeal\n  reviewed_by: A. Singh\n",
        encoding="utf-8",
    )
    silences, problems = load_silences(path, tmp_path)
    assert problems == []
    found = [
        finding("spelling", "Scarborough"),
        finding("style", "Scarborough"),  # silenced for spelling only
        finding("spelling", "recieve"),
        finding("personal-info", "647-555-0143", item="post-9"),
    ]
    kept, silenced = silences.apply(found)
    assert silenced == 2
    assert [(f.rule, f.word) for f in kept] == [
        ("style", "Scarborough"),
        ("spelling", "recieve"),
    ]


def test_a_silencing_entry_without_a_reason_is_an_error_naming_file_and_line(
    tmp_path,
):
    path = tmp_path / "silenced.yaml"
    path.write_text(
        "# reviewed monthly\n"
        "- word: Scarborough\n  rule: spelling\n  reason: a place\n  reviewed_by: A. Singh\n"
        "- word: recieve\n  rule: spelling\n  reviewed_by: A. Singh\n",
        encoding="utf-8",
    )
    silences, problems = load_silences(path, tmp_path)
    [problem] = problems
    assert (problem.path, problem.line, problem.field) == ("silenced.yaml", 6, "reason")
    assert str(problem).startswith("silenced.yaml:6: reason:")
    assert len(silences.entries) == 1  # the valid entry still applies


def test_a_malformed_term_list_line_names_file_and_line(tmp_path):
    path = tmp_path / "terms.txt"
    path.write_text("# comment\ndamn | profanity |\njust a word\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"terms.txt:3: expected"):
        load_terms(path)


def invoke(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_check_lists_text_findings_in_markdown_as_warnings(content_copy):
    from tps.site.check import run_checks

    post = content_copy / "blogs" / "traffic-services" / "winter-driving.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(
        text + "\nWe definately recieve calls; call Sarah at 647-555-0143.\n",
        encoding="utf-8",
    )
    line = len(post.read_text(encoding="utf-8").splitlines())
    problems = run_checks(content_copy)
    assert [p for p in problems if p.severity == "error"] == []
    mine = [str(p) for p in problems if p.path.endswith("winter-driving.md")]
    where = "content/blogs/traffic-services/winter-driving.md"
    assert (
        f"{where}:{line}: spelling: 'definately' is not in the Canadian English dictionary; did you mean 'definitely'?"
        in mine
    )
    assert any(s.startswith(f"{where}:{line}: spelling: 'recieve'") for s in mine)
    assert any(s.startswith(f"{where}:{line}: personal-info:") for s in mine)
    # Link targets and front matter keys are not prose.
    assert not any("'md'" in s for s in map(str, problems))


def test_check_reports_a_silencing_entry_without_reason_as_an_error(content_copy):
    from tps.site.check import run_checks

    path = content_copy / "governance" / "silenced.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n- word: Pape\n  rule: spelling\n",
        encoding="utf-8",
    )
    errors = [p for p in run_checks(content_copy) if p.severity == "error"]
    assert {(p.path, p.field) for p in errors} == {
        ("content/governance/silenced.yaml", "reason"),
        ("content/governance/silenced.yaml", "reviewed_by"),
    }


def test_invoke_check_strict_fails_on_text_warnings_that_plain_check_lists():
    plain = invoke("check")
    assert plain.returncode == 0, plain.stderr
    warnings = [
        line for line in plain.stderr.splitlines() if line.startswith("warning ")
    ]
    assert warnings and all(": " in line for line in warnings)
    assert any(": spelling: " in line for line in warnings)
    strict = invoke("check", "--strict")
    assert strict.returncode == 1


def test_the_sample_posts_markdown_has_no_canadian_spelling_flagged():
    """The editors' sample content: Canadian forms are never warnings."""
    from tps.site.check import run_checks

    flagged = {
        p.message.split("'")[1].lower() for p in run_checks() if p.field == "spelling"
    }
    assert flagged.isdisjoint(CANADIAN)


def test_style_in_one_batch_equals_style_text_by_text():
    from tps.governance.checks.style import check_style, check_style_many

    texts = [
        "We will utilize the new lot!",
        "",
        "Thanks everyone! Great turnout! See you soon! Bring friends!",
        "Keep an eye on the weather.",
        "Locations",
        "Locations are posted on Monday.",
    ]
    batched = check_style_many(texts)
    assert batched == [check_style(text) for text in texts]
    assert [len(hits) for hits in batched] == [1, 0, 0, 1, 0, 0]


def test_the_hits_cache_answers_texts_it_has_seen_and_starts_afresh_for_a_new_checker(
    tmp_path,
):
    from tps.governance.hits_cache import HitsCache
    from tps.governance.monitor import Checker

    class Counting:
        def __init__(self, checker):
            self.checker, self.texts = checker, 0

        def hits_many(self, jobs):
            self.texts += len(jobs)
            return self.checker.hits_many(jobs)

    path = tmp_path / "hits.pickle"
    jobs = [("We will recieve it.", "", ()), ("All fine here.", "", ())]
    first = HitsCache(path, Checker())
    expected = Checker().hits_many(jobs)
    assert first.hits_many(jobs) == expected
    first.save()

    again = HitsCache(path, Checker())
    counting = Counting(again.checker)
    again.checker = counting
    assert again.hits_many(jobs) == expected
    assert counting.texts == 0, "answered from the cache"

    other = HitsCache(path, Checker(service_words=frozenset({"recieve"})))
    assert other.known == {}, "another word list: nothing reused"
