"""The read cache (tps/site/readcache.py): a reader on Pelican's readers_init,
keyed by the file's bytes and the reader's fingerprint."""

from __future__ import annotations

from pelican import signals
from pelican.readers import MarkdownReader, Readers
from pelican.settings import read_settings

from tps.core.paths import SETTINGS
from tps.site import readcache
from tps.site.readcache import CachedMarkdownReader

POST = """Title: Winter driving
Date: 2026-01-05 09:00
Tags: Road safety, Winter driving
Status:
Summary: Clear <em>every</em> window <script>alert(1)</script>

Slow down on **ice**.<iframe src="https://example.com"></iframe>
"""


def settings_for(tmp_path, **extra):
    settings = read_settings(str(SETTINGS["public"]))
    settings.update(CACHE_PATH=str(tmp_path / "cache/pelican-public"), **extra)
    return settings


def test_the_plugin_puts_the_reader_in_pelicans_place_for_markdown(tmp_path):
    settings = settings_for(tmp_path)
    readcache.register()
    try:
        readers = Readers(settings)
    finally:
        signals.readers_init.disconnect(readcache.install_reader)
    assert type(readers.readers["md"]) is CachedMarkdownReader
    assert isinstance(readers.readers["md"], MarkdownReader)


def test_a_stored_read_is_what_pelicans_reader_gives_cleaned(tmp_path):
    source = tmp_path / "post.md"
    source.write_text(POST)
    first = CachedMarkdownReader(settings_for(tmp_path))
    content, metadata = first.read(str(source))
    assert "<strong>ice</strong>" in content and "iframe" not in content
    assert (
        "script" not in metadata["summary"] and "<em>every</em>" in metadata["summary"]
    )
    assert "status" not in metadata, "the empty field is dropped"
    assert list((tmp_path / "cache/markdown-reads").glob("*/*.pickle"))

    plain, plain_metadata = MarkdownReader(settings_for(tmp_path)).read(str(source))
    assert plain.replace('<iframe src="https://example.com"></iframe>', "") == content

    other_settings = settings_for(tmp_path)
    second = CachedMarkdownReader(other_settings)
    source.rename(tmp_path / "renamed.md")  # the bytes are the key, not the name
    again, again_metadata = second.read(str(tmp_path / "renamed.md"))
    assert (again, again_metadata) == (content, metadata)
    assert [tag.name for tag in again_metadata["tags"]] == [
        "Road safety",
        "Winter driving",
    ]
    assert all(tag.settings is other_settings for tag in again_metadata["tags"])
    assert again_metadata["date"] == plain_metadata["date"]


def test_the_key_follows_the_markdown_settings_and_the_bytes(tmp_path):
    base = CachedMarkdownReader(settings_for(tmp_path))
    markdown = dict(base.settings["MARKDOWN"], output_format="xhtml")
    other = CachedMarkdownReader(settings_for(tmp_path, MARKDOWN=markdown))
    assert base.fingerprint != other.fingerprint
    assert base.entry(b"a") != base.entry(b"b")
    assert base.entry(b"a") == CachedMarkdownReader(settings_for(tmp_path)).entry(b"a")


def test_without_the_content_cache_nothing_is_stored_or_loaded(tmp_path):
    source = tmp_path / "post.md"
    source.write_text(POST)
    off = settings_for(tmp_path, CACHE_CONTENT=False, LOAD_CONTENT_CACHE=False)
    CachedMarkdownReader(off).read(str(source))
    assert not (tmp_path / "cache/markdown-reads").exists()
