from __future__ import annotations

import pytest
from pelican.readers import MarkdownReader
from pelican.settings import read_settings

from tps.core.paths import SETTINGS
from tps.editor_html import clean_editor_html
from tps.markdown_reader import FastMarkdownReader


@pytest.fixture(scope="module")
def settings() -> dict:
    return read_settings(str(SETTINGS["public"]))


@pytest.fixture(scope="module")
def fast(settings) -> FastMarkdownReader:
    return FastMarkdownReader(settings)


@pytest.fixture(scope="module")
def python_markdown(settings) -> MarkdownReader:
    return MarkdownReader(settings)


@pytest.fixture
def read_both(tmp_path, fast, python_markdown):
    """A text read by both readers: (fast read or None, python-markdown's
    read), both cleaned by the editor allowlist as the site's reader does."""

    def read(text: str):
        source = tmp_path / "post.md"
        source.write_text(text)
        expected = _cleaned(python_markdown.read(str(source)))
        found = fast.read_text(source.read_text())
        return (_cleaned(found) if found is not None else None), expected

    return read


def _cleaned(read):
    content, metadata = read
    metadata = dict(metadata)
    if isinstance(metadata.get("summary"), str):
        metadata["summary"] = clean_editor_html(metadata["summary"])
    return clean_editor_html(content), {k: repr(v) for k, v in metadata.items()}
