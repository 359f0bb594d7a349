"""Every example of every component (theme/templates/components/<name>/<name>.yaml)
rendered on one page per component with the site's stylesheet, checked with
axe (WCAG 2.1 A and AA: no violation allowed), and screenshot at a phone's and
a desktop's width into .cache/component-shots/ for a look."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import jinja2
import pytest
import yaml
from markupsafe import Markup, escape

from tps.assets.assets import Fingerprints
from tps.core.paths import ROOT
from tps.html_dates import html_datetime
from tps.units.directory import PLATFORM_NAMES

THEME = ROOT / "theme"
COMPONENTS = THEME / "templates" / "components"
SHOTS = ROOT / ".cache" / "component-shots"
WIDTHS = (390, 1280)
# A placeholder for the images examples point at (charts, feed images): any
# format Chromium sniffs, so one SVG serves every extension.
PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360">'
    '<rect width="640" height="360" fill="#d5dbe3"/></svg>'
)


class Example(dict):
    """A mapping from the YAML that templates read like Pelican's objects:
    attributes are keys, a missing one is undefined, and it prints as its name
    (a post's author and blog)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __str__(self) -> str:
        return str(self.get("name", ""))


def _objects(value):
    if isinstance(value, dict):
        return Example({key: _objects(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_objects(item) for item in value]
    return value


def components() -> list[Path]:
    return sorted(path.parent for path in COMPONENTS.glob("*/*.yaml"))


def environment() -> jinja2.Environment:
    """The site's template settings (pelican.conf.py) over theme/templates."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(THEME / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.Undefined,
    )
    env.filters["html_datetime"] = html_datetime
    env.globals.update(SITEURL=".", PLATFORM_NAMES=PLATFORM_NAMES)
    return env


def render(env: jinja2.Environment, folder: Path, macro: str, example: dict) -> str:
    module = env.get_template(f"components/{folder.name}/{folder.name}.html").module
    arguments = _objects(example.get("arguments", {}))
    body = example.get("caller")
    if body is not None:
        if isinstance(body, list):  # other macros of the component, in turn
            html = Markup("\n").join(
                getattr(module, call["macro"])(**_objects(call["arguments"]))
                for call in body
            )
        else:
            html = Markup(body)
        arguments["caller"] = lambda: html
    return str(getattr(module, example.get("macro", macro))(**arguments))


def examples_page(env, folder: Path, stylesheet: Path) -> tuple[str, int]:
    spec = yaml.safe_load((folder / f"{folder.name}.yaml").read_text())
    sections = []
    for number, example in enumerate(spec["examples"], 1):
        html = render(env, folder, spec["macro"], example)
        sections.append(
            f'<section class="tps-example" aria-labelledby="example-{number}">'
            f'<p class="tps-muted" id="example-{number}">Example {number}: '
            f"{escape(example['name'])}</p>\n{html}\n</section>"
        )
    page = (
        '<!doctype html>\n<html lang="en-CA"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Component: {folder.name}</title>"
        f'<link rel="stylesheet" href="{stylesheet.as_uri()}"></head>'
        f'<body><main class="tps-main tps-width"><h1>Component: {folder.name}</h1>\n'
        + "\n<hr>\n".join(sections)
        + "\n</main></body></html>\n"
    )
    return page, len(spec["examples"])


@pytest.fixture(scope="module")
def example_pages(tmp_path_factory) -> dict[str, tuple[Path, int]]:
    site = tmp_path_factory.mktemp("components")
    bundle = Fingerprints()
    bundle.theme, bundle.static = THEME, THEME / "static"
    stylesheet = site / "main.css"
    stylesheet.write_bytes(bundle.content("css/main.css"))  # as the build bundles it
    env = environment()
    pages = {}
    for folder in components():
        html, count = examples_page(env, folder, stylesheet)
        for source in re.findall(r'<img [^>]*src="\./([^"]+)"', html):
            (site / source).parent.mkdir(parents=True, exist_ok=True)
            (site / source).write_text(PLACEHOLDER)
        page = site / f"{folder.name}.html"
        page.write_text(html)
        pages[folder.name] = (page, count)
    return pages


def test_every_component_has_a_macro_css_and_examples():
    folders = [path for path in COMPONENTS.iterdir() if path.is_dir()]
    assert len(components()) >= 12
    for folder in folders:
        assert (folder / f"{folder.name}.html").is_file(), folder
        assert (folder / f"{folder.name}.yaml").is_file(), folder


def test_every_example_renders_without_axe_violations(example_pages, chromium):
    from tests.support.browser import axe_violations, describe

    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": WIDTHS[-1], "height": 900})
    page = context.new_page()
    failures = {}
    for name, (path, count) in example_pages.items():
        page.goto(path.as_uri())
        assert page.locator("section.tps-example").count() == count
        violations = axe_violations(page)
        if violations:
            failures[name] = describe(violations)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    context.close()
    assert not failures, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_examples_cover_the_variants(example_pages):
    counts = {name: count for name, (_, count) in example_pages.items()}
    assert sum(counts.values()) >= 40, counts
    assert all(count >= 1 for count in counts.values())
    html = example_pages["notification-banner"][0].read_text()
    assert "tps-site-alert--emergency" in html and "tps-site-alert--warning" in html
    # the data table is a focusable, named region in every example
    tables = example_pages["data-table"][0].read_text()
    wrappers = re.findall(r'<div class="[^"]*tps-table-wrap"[^>]*>', tables)
    assert wrappers and all(
        'tabindex="0" role="region"' in w and "aria-label" in w for w in wrappers
    )


def test_the_dates_in_examples_are_aware():
    # YAML gives offset-aware datetimes: html_datetime writes them with the offset
    spec = yaml.safe_load((COMPONENTS / "post-list" / "post-list.yaml").read_text())
    date = spec["examples"][0]["arguments"]["posts"][0]["date"]
    assert isinstance(date, dt.datetime) and date.utcoffset() is not None


def test_the_site_loads_one_stylesheet_with_every_component(public_site):
    html = (public_site / "index.html").read_text()
    links = re.findall(r'<link rel="stylesheet" href="\./(theme/css/[^"]+)"', html)
    sheets = [link for link in links if not link.startswith("theme/css/print.")]
    assert len(sheets) == 1 and re.fullmatch(
        r"theme/css/main\.[0-9a-f]{10}\.css", sheets[0]
    )
    css = (public_site / sheets[0]).read_text()
    assert css.startswith((THEME / "static/css/main.css").read_text())
    for path in sorted(COMPONENTS.glob("*/*.css")):
        assert f"/* components/{path.parent.name}/{path.name} */\n" in css
        assert path.read_text() in css
    # the unhashed copy is the same bundle
    assert (public_site / "theme/css/main.css").read_text() == css
