from __future__ import annotations

import functools
import json
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from tps.core.pages import write_page
from tps.core.problems import ContentError, Problem
from tps.core.templates import add_template_folder

from .model import (
    LIVE_MARKERS,
    AlertError,
    atom_feed,
    load_content_alerts,
    newest_first,
    now,
)

LIVE_PAGE = "alerts/live-alert/index.html"


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
        # The page `invoke alert` fills in for an alert published without a
        # rebuild, so that its /alerts/<id>/ has this release's layout.
        write(LIVE_PAGE, "alert", alert=None, LIVE_ALERT_MARKERS=LIVE_MARKERS)
        folder = Path(self.output_path) / "alerts"
        folder.mkdir(parents=True, exist_ok=True)
        origin = self.settings.get("SITE_ORIGIN", self.settings["SITEURL"])
        # What `invoke alert` merges with its own alerts on the target, and
        # what it needs to render them as this site does.
        page = {
            # as an alert page's SITEURL: /alerts/<id>/ is two folders deep
            "siteurl": "../.."
            if self.settings["RELATIVE_URLS"]
            else self.settings["SITEURL"],
            "origin": origin,
            "sitename": self.settings["SITENAME"],
            "numbers": {
                "emergency": self.settings["EMERGENCY_NUMBER"],
                "non_emergency": self.settings["NON_EMERGENCY_NUMBER"],
                "crime_stoppers": self.settings["CRIME_STOPPERS_NUMBER"],
            },
        }
        (folder / "alerts.json").write_text(
            json.dumps(
                {"alerts": [a.to_json() for a in self.alerts], "page": page}, indent=2
            )
            + "\n",
            encoding="utf-8",
        )
        (folder / "feed.atom.xml").write_text(
            atom_feed(self.alerts, origin, self.settings["SITENAME"]),
            encoding="utf-8",
        )


# The page templates this capability renders (tps/core/templates.py).
TEMPLATES = Path(__file__).resolve().parent / "templates"


def add_templates(pelican) -> None:
    add_template_folder(pelican.settings, TEMPLATES)


def get_generators(pelican):
    return AlertsGenerator


def register() -> None:
    signals.initialized.connect(add_templates)
    signals.get_generators.connect(get_generators)
