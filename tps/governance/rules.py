"""The monitoring rules: how each is named, how much it matters, which lesson covers it.

Lessons are pages of content/internal/training/ (file stem) with a section anchor
(python-markdown's toc ids), so a finding always points at the part of the
training module that helps."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
SEVERITY_LABELS = {
    "high": "Discuss this week",
    "medium": "Fix soon",
    "low": "Coaching point",
}


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    severity: str  # high, medium or low (see SEVERITY_LABELS)
    why: str  # one sentence, in the coaching voice of the report
    lessons: tuple[tuple[str, str], ...]  # (lesson file stem, section anchor)


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "personal-info",
            "Personal information",
            "high",
            "Phone numbers, email addresses, licence plates and home addresses of private persons must never be posted.",
            (("04-privacy-and-evidence", "what-you-must-never-post"),),
        ),
        Rule(
            "inappropriate",
            "Inappropriate language",
            "high",
            "Words from the Service's term list (profanity and stigmatizing language) do not fit our voice.",
            (
                ("02-brand-and-voice", "our-voice"),
                ("05-handling-comments-and-crises", "do-not-argue"),
            ),
        ),
        Rule(
            "unofficial-account",
            "Link to an unofficial account",
            "high",
            "The post points to an account that looks like the Service's but is not in the official registry.",
            (("02-brand-and-voice", "official-and-personal-accounts"),),
        ),
        Rule(
            "broken-link",
            "Link to a missing page",
            "medium",
            "The post links to a page of tps.ca that does not exist.",
            (("01-why-we-post", "what-a-good-post-looks-like"),),
        ),
        Rule(
            "profile-name",
            "Display name pattern",
            "medium",
            "The display name does not follow the pattern for its unit, which helps people spot impostors.",
            (("02-brand-and-voice", "names-and-handles"),),
        ),
        Rule(
            "profile-disclaimer",
            "Bio disclaimer",
            "medium",
            "Every bio must say the account is not monitored 24/7 and to call 911 in an emergency.",
            (("02-brand-and-voice", "the-bio"),),
        ),
        Rule(
            "profile-link",
            "Link back to tps.ca",
            "medium",
            "Every profile links back to tps.ca so people can check the account is real.",
            (("02-brand-and-voice", "the-bio"),),
        ),
        Rule(
            "review-overdue",
            "Profile review overdue",
            "medium",
            "The yearly profile review with Corporate Communications is past due.",
            (("02-brand-and-voice", "the-bio"),),
        ),
        Rule(
            "spelling",
            "Spelling (Canadian English)",
            "low",
            "A word is not in the Canadian English dictionary or the Service's word list.",
            (("03-writing-for-the-public", "canadian-spelling-and-style"),),
        ),
        Rule(
            "style",
            "Grammar and style",
            "low",
            "Wordy, clichéd or unclear phrasing that plain language would fix.",
            (("03-writing-for-the-public", "plain-language"),),
        ),
    )
}
