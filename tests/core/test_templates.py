"""How a build finds each capability's templates (tps/core/templates.py):
Pelican starts with the site's settings and plugins, each capability puts its
templates folder on THEME_TEMPLATES_OVERRIDES at ``initialized``, and Pelican's
own Generator finds every page template in its capability's folder, after the
theme's (which can still override one)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.templates import (
    THEME_TEMPLATES,
    capability_folders,
    rendered_templates,
)
from tps.core.paths import ROOT
from tps.core.templates import add_template_folder

# Pelican as a build starts it (settings file, plugins, ``initialized``), in
# a process of its own so that no plugin's signal handlers stay connected here;
# then a plain Generator, which builds its Jinja loader as every generator does.
PROBE = """
import json, sys
from pelican import Pelican
from pelican.generators import Generator
from pelican.settings import read_settings
from tps.core.paths import CONTENT, SETTINGS
from tps.site.validation import tree_stamp

site, cache, output, theme, names = json.loads(sys.argv[1])
override = {
    "CONTENT_VALIDATED_STAMP": tree_stamp(CONTENT),
    "CACHE_PATH": cache,
    "OUTPUT_PATH": output,
    "JINJA_BYTECODE_CACHE": False,
}
if theme:
    override["THEME"] = theme
pelican = Pelican(read_settings(str(SETTINGS[site]), override=override))
generator = Generator(
    context={}, settings=pelican.settings, path=pelican.path,
    theme=pelican.theme, output_path=output,
)
print(json.dumps({
    "search_path": pelican.settings["THEME_TEMPLATES_OVERRIDES"],
    "found": {name: generator.get_template(name).filename for name in names},
}))
"""


def probe(tmp_path: Path, names, site="public", theme: Path | None = None) -> dict:
    argument = [site, str(tmp_path / "cache"), str(tmp_path / "out")]
    argument += [str(theme) if theme else "", sorted(names)]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argument)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_pelican_finds_each_page_template_in_its_capabilitys_folder(tmp_path):
    rendered = rendered_templates()
    names = {name for names in rendered.values() for name in names}
    seen = probe(tmp_path, names, site="internal")  # the one with every page
    folders = capability_folders()
    assert seen["search_path"] == [
        str(THEME_TEMPLATES),
        *sorted(str(folder) for folder in folders.values()),
    ]
    for capability, templates in rendered.items():
        for name in templates:
            assert seen["found"][name] == str(folders[capability] / f"{name}.html")


def test_the_theme_still_overrides_a_capabilitys_template(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "unit.html").write_text('{% extends "base.html" %}\n')
    seen = probe(tmp_path, {"unit", "units", "base"}, theme=theme)
    assert seen["found"] == {
        "unit": str(theme / "templates" / "unit.html"),
        "units": str(capability_folders()["units"] / "units.html"),
        "base": str(theme / "templates" / "base.html"),
    }


def test_the_search_path_is_the_same_whatever_order_the_plugins_add_to_it():
    def search_path(order):
        settings = {"THEME": "/site/theme", "THEME_TEMPLATES_OVERRIDES": ["/mine"]}
        for folder in order:
            add_template_folder(settings, folder)
        return settings["THEME_TEMPLATES_OVERRIDES"]

    expected = [
        "/mine",
        "/site/theme/templates",
        "/tps/a/templates",
        "/tps/b/templates",
    ]
    assert search_path(["/tps/a/templates", "/tps/b/templates"]) == expected
    assert search_path(["/tps/b/templates", "/tps/a/templates"]) == expected
    assert search_path(
        ["/tps/b/templates", "/tps/a/templates", "/tps/b/templates"]
    ) == (expected)
