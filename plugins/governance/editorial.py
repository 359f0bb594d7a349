"""`invoke check` over editors' Markdown: the same text checks as the monitoring,
reported as warnings at file:line. Broken {filename} links stay with the
content model (content_model.validate_tree), which already reports them as errors."""

from __future__ import annotations

import re
from pathlib import Path

from content_model.frontmatter import parse_file
from content_model.problems import Problem, relative

from .findings import Finding, Subject, finding_from_hit
from .monitor import Checker
from .silence import Silences

CHECKED_FIELDS = ("title", "summary")
_FENCE = re.compile(r"^\s*(```|~~~)")
# Markup that is not prose, blanked with spaces so offsets (and lines) hold.
_MARKUP = (
    re.compile(r"`[^`\n]*`"),  # inline code
    re.compile(r"(?<=\])\([^)\n]*\)"),  # link and image targets: [text](target)
    re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE),  # reference definitions
    re.compile(r"<[^>\n]+>"),  # HTML tags and autolinks
    re.compile(r"\{(?:filename|static|attach)\}\S*"),
    re.compile(
        r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$", re.MULTILINE
    ),  # table rules
)


def prose(body: str) -> str:
    """The body with code blocks and markup blanked; same length and lines."""
    out, fenced = [], False
    for line in body.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            out.append(" " * len(line))
        elif fenced or line.startswith(("    ", "\t")):
            out.append(" " * len(line))
        else:
            out.append(line)
    text = "\n".join(out)
    for pattern in _MARKUP:
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    # Markdown escapes (\#, \*) are not part of the words.
    return re.sub(r"\\(?=[#*_`\\])", " ", text)


def markdown_files(content: Path) -> list[Path]:
    files: list[Path] = []
    for folder in ("blogs", "pages", "internal"):
        files += sorted((content / folder).rglob("*.md"))
    return files


def check_file(path: Path, checker: Checker, root: Path) -> list[Finding]:
    front = parse_file(path)
    where = relative(path, root)
    subject = Subject(
        item_id=where, item_link=where, item_title=front.fields.get("title", "")
    )
    findings = []
    for key in CHECKED_FIELDS:
        value = front.fields.get(key, "")
        if value:
            findings += [
                _at(finding_from_hit(hit, value, subject), front.line_of(key))
                for hit in checker.hits(value)
            ]
    body = prose(front.body)
    for hit in checker.hits(body):
        line = front.body_line + body.count("\n", 0, hit.start)
        lines = front.body.split("\n")
        start_of_line = body.rfind("\n", 0, hit.start) + 1
        text = lines[line - front.body_line]
        shifted = type(hit)(
            hit.rule,
            hit.start - start_of_line,
            min(hit.end - start_of_line, len(text)),
            hit.message,
            hit.suggestion,
        )
        findings.append(_at(finding_from_hit(shifted, text, subject), line))
    return findings


def _at(finding: Finding, line: int) -> Finding:
    from dataclasses import replace

    return replace(finding, line=line)


def check_markdown(
    content: Path, checker: Checker, silences: Silences, root: Path
) -> list[Problem]:
    """Every finding in every post and page, as warnings (`file:line: rule: message`)."""
    findings: list[Finding] = []
    for path in markdown_files(content):
        findings += check_file(path, checker, root)
    kept, _ = silences.apply(findings)
    return [
        Problem(f.subject.item_id, f.line, f.rule, f.message, "warning") for f in kept
    ]
