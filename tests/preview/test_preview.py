"""The preview holds the site in memory (tps/preview): after each kind of edit
an editor makes, what it serves equals a cold build of the same tree, byte for
byte, with the fixed clock; text edits are applied in place, writing only the
pages they affect."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tps.core.paths import CONTENT, ROOT
from tps.incremental.plugin import STATE
from tps.preview import PreviewSite
from tps.site.build import build
from tps.site.golden import compare, fixed_clock, write_golden

POST = "blogs/crime-blog/grandparent-scam-warning.md"
OTHER = "blogs/traffic-services/cyclists-and-doorings.md"


class Tree:
    """A private content tree and theme, its preview, and cold builds of it."""

    def __init__(self, root: Path, site: str):
        self.root, self.site = root, site
        self.content = root / "content"
        self.theme = root / "theme"
        shutil.copytree(CONTENT, self.content)
        shutil.copytree(ROOT / "theme", self.theme)
        self.settings = {"THEME": str(self.theme)}
        self.preview = PreviewSite(
            site,
            content=self.content,
            output_root=root / "preview",
            cache_root=root / "cache",
            settings=self.settings,
            search=False,
        )
        self.builds = 0

    def edit(self, relative: str, change) -> Path:
        path = (
            self.content / relative
            if not relative.startswith("theme/")
            else (self.root / relative)
        )
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        return path

    def assert_same_as_cold_build(self) -> None:
        self.builds += 1
        cold = self.root / f"cold-{self.builds}"
        build(
            (self.site,),
            content=self.content,
            output_root=cold,
            settings={"PREVIEW_DRAFTS": True, **self.settings},
            cache_root=self.root / "cold-cache",
        )
        golden = self.root / f"cold-golden-{self.builds}"
        write_golden({self.site: cold / self.site}, golden)
        result = compare({self.site: self.preview.output}, golden)
        assert not (result.missing or result.extra or result.changed), (
            f"preview differs from a cold build: missing {result.missing[:5]},"
            f" extra {result.extra[:5]}, changed {result.changed[:5]}\n"
            + "\n".join(result.diffs)
        )


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    with fixed_clock():
        tree = Tree(tmp_path_factory.mktemp("preview"), "public")
        first = tree.preview.build()
        assert first.kind == "full"
        yield tree
        tree.preview.close()


def front_matter(name: str, value: str):
    """A change that sets the file's ``name:`` line to ``value``."""
    return lambda text: re.sub(
        rf"^{name}: .*$", f"{name}: {value}", text, count=1, flags=re.M
    )


def first_paragraph(text: str, words: str) -> str:
    head, body = text.split("\n\n", 1)
    return f"{head}\n\n{words} {body}"


def test_a_body_edit_is_applied_in_place_and_writes_only_its_page(tree):
    path = tree.edit(POST, lambda t: first_paragraph(t, "Edited at the start."))
    with fixed_clock():
        result = tree.preview.update([path])
        assert result.kind == "in place"
        # The post's page and what shows its text (the author's page shows
        # the latest post whole); its summary is its own Summary: line, so
        # the listings stay as they are.
        written = tree.preview.dirty
        assert "blogs/crime-blog/grandparent-scam-warning/index.html" in written
        assert "blogs/crime-blog/index.html" not in written
        assert result.pages == len(written) <= 3, written
        page = (
            tree.preview.output / "blogs/crime-blog/grandparent-scam-warning/index.html"
        )
        assert "Edited at the start." in page.read_text()
        tree.assert_same_as_cold_build()


def test_a_summary_edit_reaches_every_listing_in_place(tree):
    path = tree.edit(
        POST,
        lambda t: re.sub(
            r"^Summary: ", "Summary: Seniors, beware. ", t, count=1, flags=re.M
        ),
    )
    with fixed_clock():
        result = tree.preview.update([path])
        assert result.kind == "in place"
        assert result.pages > 1  # the blog, its tags, the home page ...
        tree.assert_same_as_cold_build()


def test_a_title_edit_is_applied_in_place(tree):
    path = tree.edit(POST, front_matter("Title", "Grandparent scam: a new warning"))
    with fixed_clock():
        assert tree.preview.update([path]).kind == "in place"
        tree.assert_same_as_cold_build()


@pytest.mark.parametrize(
    "field, value",
    [("Tags", "Fraud, Seniors, Scams"), ("Date", "2026-11-29 08:15")],
    ids=["tags", "date"],
)
def test_a_tags_or_date_edit_rebuilds_in_the_same_process(tree, field, value):
    path = tree.edit(OTHER, front_matter(field, value))
    with fixed_clock():
        assert tree.preview.update([path]).kind == "full"
        tree.assert_same_as_cold_build()


def test_a_new_post_and_a_deleted_post(tree):
    new = tree.content / "blogs/crime-blog/porch-pirates-season.md"
    new.write_text(
        "Title: Porch pirates: the season is here\nDate: 2026-11-28 09:00\n"
        "Author: Aisha Karimi\nUnit: 52-division\nTags: Fraud\n"
        "Summary: Parcels left at the door go missing in December.\n\n"
        "Ask a neighbour to take your parcels in.\n",
        encoding="utf-8",
    )
    with fixed_clock():
        assert tree.preview.update([new]).kind == "in place"
        assert (
            "Porch pirates"
            in (tree.preview.output / "blogs/crime-blog/index.html").read_text()
        )
        tree.assert_same_as_cold_build()
    gone = tree.content / OTHER
    gone.unlink()
    with fixed_clock():
        assert tree.preview.update([gone]).kind == "full"
        assert not (
            tree.preview.output / "blogs/traffic-services/cyclists-and-doorings"
        ).exists()
        tree.assert_same_as_cold_build()


def test_a_new_draft_with_a_new_tag_is_added_in_place(tree):
    """Listed and badged as a draft, on its new tag's page, its blog's pages
    and its neighbours' "newer" links; the rest is left where it was."""
    new = tree.content / "blogs/traffic-services/winter-tires-reminder.md"
    new.write_text(
        "Title: Winter tires: a reminder\nDate: 2026-11-29 08:00\n"
        "Author: Aisha Karimi\nTags: Winter tires, Road safety\nStatus: draft\n"
        "Summary: Fit them before the first snow.\n\nBook early.\n",
        encoding="utf-8",
    )
    untouched = tree.preview.output / "blogs/crime-blog/index.html"
    before = untouched.stat().st_ino
    with fixed_clock():
        result = tree.preview.update([new])
        assert result.kind == "in place"
        assert (tree.preview.output / "tags/winter-tires/index.html").is_file()
        tree.assert_same_as_cold_build()
    assert untouched.stat().st_ino == before, "another blog's page was written"


def test_a_new_post_an_older_post_links_to_is_a_full_build(tree):
    """The older post's link resolves only once the new one exists: that is
    Pelican reading it again, so a full build."""
    target = "blogs/traffic-services/snow-routes.md"
    tree.edit(
        POST, lambda text: text + f"\nSee the [snow routes]({{filename}}/{target}).\n"
    )
    with fixed_clock():
        tree.preview.update([tree.content / POST])
    new = tree.content / target
    new.write_text(
        "Title: Snow routes\nDate: 2026-11-30 07:00\nAuthor: Aisha Karimi\n\n"
        "Where the plows go first.\n",
        encoding="utf-8",
    )
    with fixed_clock():
        assert tree.preview.update([new]).kind == "full"
        page = (
            tree.preview.output / "blogs/crime-blog/grandparent-scam-warning/index.html"
        )
        assert "snow-routes/" in page.read_text()
        tree.assert_same_as_cold_build()


def test_a_unit_file_edit(tree):
    path = tree.edit(
        "units/52-division.yaml",
        front_matter("summary", "Downtown, from the lake to Bloor."),
    )
    with fixed_clock():
        assert tree.preview.update([path]).kind == "full"
        assert (
            "from the lake to Bloor"
            in (tree.preview.output / "units/52-division/index.html").read_text()
        )
        tree.assert_same_as_cold_build()


def test_a_theme_edit(tree):
    path = tree.edit(
        "theme/templates/base.html",
        lambda t: t.replace("</footer>", "<p>Preview theme edit</p></footer>", 1),
    )
    with fixed_clock():
        assert tree.preview.update([path]).kind == "full"
        assert "Preview theme edit" in (tree.preview.output / "index.html").read_text()
        tree.assert_same_as_cold_build()


def test_a_bad_edit_keeps_the_last_good_preview(tree):
    page = tree.preview.output / "blogs/crime-blog/index.html"
    before = page.read_bytes()
    path = tree.edit(
        POST,
        front_matter("Date", "not a date"),
    )
    with fixed_clock(), pytest.raises(ValueError, match="not a date"):
        tree.preview.update([path])
    assert page.read_bytes() == before


def intranet_body_edit(root: Path) -> None:
    with fixed_clock():
        tree = Tree(root, "internal")
        tree.preview.build()
        badge = sorted((tree.content / "blogs/the-badge").glob("*.md"))[0]
        path = tree.edit(
            str(badge.relative_to(tree.content)),
            lambda t: first_paragraph(t, "A word from the Chief."),
        )
        assert tree.preview.update([path]).kind == "in place"
        tree.assert_same_as_cold_build()


def test_the_intranet_preview_takes_a_body_edit_in_place(tmp_path):
    """The internal site (The Badge, governance pages) the same way, in a
    process of its own as `invoke serve` is: the governance checks read
    process-wide state that other tests in this worker may have changed."""
    script = (
        "import sys; from pathlib import Path;"
        " from tests.preview.test_preview import intranet_body_edit;"
        " intranet_body_edit(Path(sys.argv[1]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]


def test_search_is_indexed_in_the_preview(tree):
    tree.preview.index_search()
    bundles = list((tree.preview.output / "pagefind").rglob("pagefind-entry.json"))
    assert bundles, "no Pagefind bundle in the preview"


def test_a_restarted_preview_reuses_the_pages_the_last_one_served(tmp_path):
    """The traces are written to the cache after a round's pages are served
    (not while the editor waits): a new preview process (after a plugin
    edit, or the next day) starts from them."""
    with fixed_clock():
        tree = Tree(tmp_path, "public")
        tree.preview.build()
        STATE.kept.clear()  # what a new process knows: only the cache on disk
        tree.preview = PreviewSite(
            "public",
            content=tree.content,
            output_root=tmp_path / "preview",
            cache_root=tmp_path / "cache",
            settings=tree.settings,
            search=False,
        )
        first = tree.preview.build()
        assert first.kind == "full"
        assert first.pages < 20, f"{first.pages} pages rendered again"
        tree.assert_same_as_cold_build()
