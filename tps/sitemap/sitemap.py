from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from pelican import signals

from tps.core.files import files_ending

EXCLUDED = {
    "404.html",
    "alerts/live-alert/index.html",
}  # the page `invoke alert` fills in


class Sitemap:
    """State for one build: content dates gathered, then files written."""

    def __init__(self) -> None:
        self.lastmod: dict[str, str] = {}

    def collect_dates(self, generators) -> None:
        self.lastmod = {}
        for generator in generators:
            for item in getattr(generator, "articles", []) + getattr(
                generator, "pages", []
            ):
                changed = getattr(item, "modified", None) or getattr(item, "date", None)
                if changed:
                    self.lastmod[item.save_as] = changed.date().isoformat()

    def write(self, pelican) -> None:
        settings = pelican.settings
        output = Path(pelican.output_path)
        origin = settings.get("SITE_ORIGIN", settings["SITEURL"]).rstrip("/")
        public = settings.get("SITE_AUDIENCE", "public") == "public"
        (output / "robots.txt").write_text(
            robots(origin, allow=public and settings.get("ROBOTS_ALLOW", True))
        )
        entries = []
        for path in files_ending(output, ".html", skip=("pagefind", "drafts")):
            relative = path.relative_to(output).as_posix()
            if relative in EXCLUDED:
                continue
            url = origin + "/" + relative.removesuffix("index.html")
            lastmod = self.lastmod.get(relative)
            entries.append(
                f"  <url><loc>{escape(url)}</loc>"
                + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
                + "</url>"
            )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(entries)
            + "\n</urlset>\n"
        )
        (output / "sitemap.xml").write_text(xml, encoding="utf-8")


def robots(origin: str, allow: bool) -> str:
    if not allow:
        return "User-agent: *\nDisallow: /\n"
    return f"User-agent: *\nAllow: /\nSitemap: {origin}/sitemap.xml\n"


def register() -> None:
    sitemap = Sitemap()
    # blinker keeps weak references: bound methods of a local object need weak=False
    signals.all_generators_finalized.connect(sitemap.collect_dates, weak=False)
    signals.finalized.connect(sitemap.write, weak=False)
