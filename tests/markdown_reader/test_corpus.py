"""The whole sample content and a benchmark corpus: each file cmark-gfm
converts is what python-markdown wrote, byte for byte once cleaned; the sample
sites' golden output (tests/site/test_golden_output.py) holds with the reader
on."""

from __future__ import annotations

import random

from pelican import signals
from pelican.readers import Readers

from bench.build import make_corpus
from tps.core.paths import CONTENT
from tps.markdown_reader import FastMarkdownReader
from tps.markdown_reader import reader as fast_reader
from tps.site import readcache

# The sample pages that write \#TPSSMLaunch: python-markdown reads them.
ESCAPES = {
    "pages/accessibility.md",
    "pages/social-media.md",
    "pages/social-media/launch.md",
    "pages/social-media/procedure.md",
    "internal/training/03-writing-for-the-public.md",
}


def test_every_sample_file_is_the_same_with_either_reader(read_both):
    slow = set()
    for path in sorted(CONTENT.rglob("*.md")):
        found, expected = read_both(path.read_text())
        if found is None:
            slow.add(path.relative_to(CONTENT).as_posix())
        else:
            assert found == expected, path
    assert slow == ESCAPES


def test_a_benchmark_corpus_is_the_same_with_either_reader(tmp_path, read_both):
    for path in make_corpus(tmp_path / "content", 60):
        found, expected = read_both(path.read_text())
        assert found == expected, path


def test_random_prose_with_quotes_and_dashes_is_the_same(read_both):
    rng = random.Random(16)
    pieces = ["word", "it", "s", "90s", "5", " ", " ", "'", '"', ".", ",", "?",
              "!", ":", ";", "(", ")", "-", "--", "---", "...", "**", "[a](b)"]  # fmt: skip
    agreed = 0
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(3, 12))).strip()
        found, expected = read_both(f"Title: T\n\nA {text} z.\n\n## {text} z\n")
        if found is not None:
            agreed += 1
            assert found == expected, text
    assert agreed > 200


def test_both_plugins_in_either_order_read_through_the_fast_reader(settings):
    for order in ((fast_reader, readcache), (readcache, fast_reader)):
        for plugin in order:
            plugin.register()
        try:
            readers = Readers(dict(settings))
        finally:
            for plugin in order:
                signals.readers_init.disconnect(plugin.install_reader)
        reader = readers.readers["md"]
        assert type(reader) is readcache.CachedMarkdownReader
        assert type(reader.inner) is FastMarkdownReader
