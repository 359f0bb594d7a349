"""Writes the directory, unit pages, account registry and profile library."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from tps.core import clock
from tps.core.csvsafe import csv_text
from tps.core.pages import write_page
from tps.core.problems import ContentError
from tps.core.templates import add_template_folder

from .directory import PLATFORM_NAMES, Directory, load_directory

REGISTRY_FIELDS = [
    "platform",
    "handle",
    "url",
    "unit",
    "unit_name",
    "member",
    "rank",
    "verified",
]


class UnitsGenerator(Generator):
    """Loads content/units/ into the context; writes one page per unit and the registry."""

    def generate_context(self) -> None:
        directory, problems = load_directory(Path(self.settings["PATH"]))
        if problems:
            raise ContentError(problems)
        self.directory = directory
        self.today = clock.today()
        self.context.update(
            UNITS_DIRECTORY=directory,  # the one load of content/units/ in a build
            UNITS=directory.units,
            UNITS_BY_KIND=directory.by_kind,
            UNITS_BY_SLUG=directory.by_slug,
            NEIGHBOURHOODS=directory.neighbourhoods,
            OFFICIAL_ACCOUNTS=directory.accounts,
            TODAY=self.today,
            PLATFORM_NAMES=PLATFORM_NAMES,
        )

    def generate_output(self, writer) -> None:
        self._attach_posts()
        write = functools.partial(write_page, self, writer)
        write("units/index.html", "units", units_page=True)
        for entry in self.directory.units:
            write(f"{entry.url}index.html", "unit", unit=entry)
        write("social-media/accounts/index.html", "accounts")
        self._write_registry_files()
        if self.settings.get("SITE_AUDIENCE") == "internal":
            write("profile-library/index.html", "profile-library")

    def _attach_posts(self) -> None:
        """Each unit's posts (the article generator ran first), newest first."""
        by_slug = self.directory.by_slug
        for entry in self.directory.units:
            entry.posts = []
        for article in self.context.get("articles", []):
            unit = getattr(article, "unit", None)
            if unit in by_slug:
                by_slug[unit].posts.append(article)

    def _write_registry_files(self) -> None:
        rows = registry_rows(self.directory)
        folder = Path(self.output_path) / "social-media" / "accounts"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "accounts.json").write_text(
            json.dumps(
                {"accounts": rows, "count": len(rows)}, indent=2, ensure_ascii=False
            )
            + "\n",
            encoding="utf-8",
        )
        (folder / "accounts.csv").write_text(
            csv_text(rows, REGISTRY_FIELDS), encoding="utf-8"
        )


def registry_rows(directory: Directory) -> list[dict]:
    """The public registry: enough to check an account, nothing private."""
    return [
        {
            "platform": record.account.platform,
            "handle": record.account.handle,
            "url": record.account.url,
            "unit": record.unit.slug,
            "unit_name": record.unit.unit.name,
            "member": record.member.name if record.member else "",
            "rank": record.member.rank if record.member else "",
            "verified": record.account.verified.isoformat(),
        }
        for record in directory.accounts
    ]


# The page templates this capability renders (tps/core/templates.py).
TEMPLATES = Path(__file__).resolve().parent / "templates"


def add_templates(pelican) -> None:
    add_template_folder(pelican.settings, TEMPLATES)


def get_generators(pelican):
    return UnitsGenerator


def register() -> None:
    signals.initialized.connect(add_templates)
    signals.get_generators.connect(get_generators)
