"""The ``.md`` reader: cmark-gfm where it agrees with python-markdown, else
Pelican's own MarkdownReader (python-markdown, the ``MARKDOWN`` settings)."""

from __future__ import annotations

import logging
import re

import cmarkgfm
from cmarkgfm.cmark import Options
from pelican import signals
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import pelican_open

from .headings import add_heading_ids
from .meta import normalize, split_header
from .smarty import educate_html
from .subset import INTRASITE, unsupported

log = logging.getLogger(__name__)

# Raw HTML is never in what cmark-gfm converts (subset.py), so "unsafe" only
# keeps cmark-gfm from rewriting link addresses of its own accord; the editor
# allowlist (tps.editor_html) cleans whatever the reader returns.
OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES
EXTENSIONS = ["table"]
# python-markdown numbers every ordered list from 1 (its lazy_ol default).
_OL_START = re.compile(r'<ol start="[0-9]+">')
# cmark-gfm percent-encodes { and } in an href; Pelican's {filename} links
# go through it as a token of letters only and come back afterwards.
_TOKEN = "tpsintrasitez"
_TOKENS = re.compile(_TOKEN + r"([a-z]+)z")


def _to_token(match: re.Match[str]) -> str:
    return f"{_TOKEN}{match.group(0)[1:-1]}z"


def convert(text: str) -> str | None:
    """``text`` (normalised Markdown, no header) as python-markdown with the
    site's extensions would write it, once cleaned by the editor allowlist; or
    None when ``text`` uses a construct cmark-gfm may convert otherwise."""
    if not text.strip():
        return ""
    if _TOKEN in text or unsupported(text):
        return None
    html = cmarkgfm.markdown_to_html_with_extensions(
        INTRASITE.sub(_to_token, text), options=OPTIONS, extensions=EXTENSIONS
    )
    html = _TOKENS.sub(lambda m: "{" + m.group(1) + "}", html)
    html = _OL_START.sub("<ol>", html)
    return add_heading_ids(educate_html(html)).strip()


class FastMarkdownReader(MarkdownReader):
    """Pelican's MarkdownReader, converting with cmark-gfm what it can."""

    def read(self, source_path):
        self.source_path = source_path
        with pelican_open(source_path) as text:
            read = self.read_text(text)
        if read is None:
            log.debug("%s: read by python-markdown", source_path)
            return super().read(source_path)
        return read

    def read_text(self, text: str) -> tuple[str, dict] | None:
        """(HTML, metadata) of a post's text, or None when python-markdown
        must read it."""
        if not text.strip():
            return "", {}
        header, body = split_header(text)
        content = convert(body)
        if content is None:
            return None
        formatted = self.settings["FORMATTED_FIELDS"]
        metadata = {}
        for name, values in header.items():
            if name in formatted:
                value = convert(normalize("\n".join(values)))
                if value is None:
                    return None
                metadata[name] = self.process_metadata(name, value)
            elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
                if len(values) > 1:
                    log.warning(
                        "Duplicate definition of `%s` for %s. Using first one.",
                        name,
                        getattr(self, "source_path", None),
                    )
                metadata[name] = self.process_metadata(name, values[0])
            elif len(values) > 1:
                metadata[name] = self.process_metadata(name, values)
            else:
                metadata[name] = self.process_metadata(name, values[0])
        return content, metadata


def install_reader(readers) -> None:
    """Pelican's MarkdownReader out, this one in (a reader that already
    replaced it, such as tps.site.readcache's, builds on this one itself)."""
    for extension, cls in list(readers.reader_classes.items()):
        if cls is MarkdownReader:
            readers.reader_classes[extension] = FastMarkdownReader


def register() -> None:
    signals.readers_init.connect(install_reader)
