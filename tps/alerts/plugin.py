from __future__ import annotations

import functools
import json
from pathlib import Path
from xml.sax.saxutils import escape

from pelican import signals
from pelican.generators import Generator

from tps.core.pages import write_page
from tps.core.problems import ContentError, Problem

from .model import AlertError, load_content_alerts, newest_first, now


class AlertsGenerator(Generator):
    """content/alerts.yaml -> ALERTS (all) and ALERTS_ACTIVE (shown now)."""

    def generate_context(self) -> None:
        try:
            alerts = newest_first(load_content_alerts(Path(self.settings["PATH"])))
        except AlertError as error:
            raise ContentError(
                [Problem("content/alerts.yaml", 0, "", str(error))]
            ) from error
        moment = now()
        self.alerts = alerts
        self.context.update(
            ALERTS=alerts,
            ALERTS_ACTIVE=[a for a in alerts if a.active(moment)],
            ALERTS_NOW=moment,
        )

    def generate_output(self, writer) -> None:
        write = functools.partial(write_page, self, writer)
        write("alerts/index.html", "alerts")
        for alert in self.alerts:
            write(f"{alert.url}index.html", "alert", alert=alert)
        folder = Path(self.output_path) / "alerts"
        folder.mkdir(parents=True, exist_ok=True)
        # What `invoke alert` merges with its own alerts on the target.
        (folder / "alerts.json").write_text(
            json.dumps({"alerts": [a.to_json() for a in self.alerts]}, indent=2) + "\n",
            encoding="utf-8",
        )
        origin = self.settings.get("SITE_ORIGIN", self.settings["SITEURL"])
        (folder / "feed.atom.xml").write_text(
            atom_feed(self.alerts, origin, self.settings["SITENAME"]),
            encoding="utf-8",
        )


def atom_feed(alerts, origin: str, sitename: str) -> str:
    origin = origin.rstrip("/")
    updated = max((a.posted for a in alerts), default=None)
    entries = []
    for alert in alerts:
        link = f"{origin}/{alert.url}"
        summary = alert.message + (
            f" Until {alert.until:%Y-%m-%d %H:%M} Toronto time." if alert.until else ""
        )
        entries.append(
            "  <entry>\n"
            f"    <id>{escape(link)}</id>\n"
            f"    <title>{escape(alert.level.capitalize())}: {escape(alert.title)}</title>\n"
            f'    <link rel="alternate" href="{escape(link)}"/>\n'
            f"    <published>{alert.posted.isoformat()}</published>\n"
            f"    <updated>{alert.posted.isoformat()}</updated>\n"
            f"    <summary>{escape(summary)}</summary>\n"
            "  </entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-CA">\n'
        f"  <title>{escape(sitename)}: public alerts</title>\n"
        f"  <id>{escape(origin)}/alerts/</id>\n"
        f'  <link rel="alternate" href="{escape(origin)}/alerts/"/>\n'
        f'  <link rel="self" href="{escape(origin)}/alerts/feed.atom.xml"/>\n'
        f"  <updated>{(updated.isoformat() if updated else '1970-01-01T00:00:00+00:00')}</updated>\n"
        f"  <author><name>{escape(sitename)}</name></author>\n"
        + "".join(e + "\n" for e in entries)
        + "</feed>\n"
    )


def get_generators(pelican):
    return AlertsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
