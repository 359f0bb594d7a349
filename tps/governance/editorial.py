"""`invoke check` over editors' Markdown: the same text checks as the monitoring,
reported as warnings at file:line. Broken {filename} links stay with the
content model (content_model.validate_tree), which already reports them as errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from tps.content_model.frontmatter import parse_file
from tps.core.problems import Problem, relative

from .findings import Finding, Hit, Subject, finding_from_hit
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


@dataclass(frozen=True)
class _Job:
    subject: Subject
    text: str  # what the checks read (markup blanked)
    lines: list[str] | None  # the body's own lines, or None for a field
    first_line: int  # the field's line, or the body's first line


def _jobs(path: Path, root: Path) -> list[_Job]:
    front = parse_file(path)
    where = relative(path, root)
    subject = Subject(
        item_id=where, item_link=where, item_title=front.fields.get("title", "")
    )
    jobs = [
        _Job(subject, front.fields[key], None, front.line_of(key))
        for key in CHECKED_FIELDS
        if front.fields.get(key)
    ]
    jobs.append(
        _Job(subject, prose(front.body), front.body.split("\n"), front.body_line)
    )
    return jobs


def _findings(job: _Job, hits: list[Hit]) -> list[Finding]:
    if job.lines is None:
        return [
            replace(finding_from_hit(hit, job.text, job.subject), line=job.first_line)
            for hit in hits
        ]
    found = []
    for hit in hits:
        index = job.text.count("\n", 0, hit.start)
        line_start = job.text.rfind("\n", 0, hit.start) + 1
        text = job.lines[index]
        shifted = replace(
            hit,
            start=hit.start - line_start,
            end=min(hit.end - line_start, len(text)),
        )
        found.append(
            replace(
                finding_from_hit(shifted, text, job.subject),
                line=job.first_line + index,
            )
        )
    return found


def check_files(paths: list[Path], checker: Checker, root: Path) -> list[Finding]:
    """Every finding in these Markdown files (one proselint run for all)."""
    jobs = [job for path in paths for job in _jobs(path, root)]
    results = checker.hits_many([(job.text, "", ()) for job in jobs])
    return [
        f for job, hits in zip(jobs, results, strict=True) for f in _findings(job, hits)
    ]


def check_markdown(
    content: Path, checker: Checker, silences: Silences, root: Path
) -> list[Problem]:
    """Every finding in every post and page, as warnings (`file:line: rule: message`)."""
    kept, _ = silences.apply(check_files(markdown_files(content), checker, root))
    return [
        Problem(f.subject.item_id, f.line, f.rule, f.message, "warning") for f in kept
    ]
