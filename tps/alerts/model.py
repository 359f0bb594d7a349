"""Public alerts: the record, its validation and the banner markup.

One model for the build (content/alerts.yaml) and for `invoke alert`, which
publishes on a target without a rebuild; both render the same component
template (theme/templates/components/notification-banner/)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

import yaml

from tps.core import clock

TORONTO = ZoneInfo("America/Toronto")
LEVELS = ("warning", "emergency")
# The theme's templates: the banner component imports other components by their
# path there, as in the build.
TEMPLATES = Path(__file__).resolve().parents[2] / "theme" / "templates"
COMPONENT = "components/notification-banner/notification-banner.html"
FIELDS = {"id", "title", "message", "link", "level", "posted", "until", "by"}
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
# Placeholders in alerts/live-alert/index.html, the page the build renders for
# `invoke alert` to fill in: each is valid where it stands (a URL segment,
# text, a comment), so the page itself passes the HTML checks.
LIVE_MARKERS = {
    "url": "alerts/tps-live-alert-id/",
    "title": "TPS-LIVE-ALERT-TITLE",
    "description": "TPS-LIVE-ALERT-DESCRIPTION",
    "article": "<!-- tps-live-alert-article -->",
}


class AlertError(ValueError):
    """Bad alert input: the message names the field and the reason."""


@dataclass(frozen=True)
class Alert:
    id: str
    title: str
    message: str
    posted: dt.datetime
    level: str = "warning"
    link: str | None = None
    until: dt.datetime | None = None
    by: str | None = None
    source: str = "command"  # "command" (invoke alert) or "content" (alerts.yaml)

    @property
    def url(self) -> str:
        return f"alerts/{self.id}/"

    def active(self, now: dt.datetime) -> bool:
        return self.posted <= now and (self.until is None or now < self.until)

    def to_json(self) -> dict:
        data = asdict(self)
        data["posted"] = self.posted.isoformat()
        data["until"] = self.until.isoformat() if self.until else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> Alert:
        return cls(
            **{
                **data,
                "posted": dt.datetime.fromisoformat(data["posted"]),
                "until": dt.datetime.fromisoformat(data["until"])
                if data.get("until")
                else None,
            }
        )


def now() -> dt.datetime:
    return clock.now(TORONTO)


def parse_time(text: str, field: str) -> dt.datetime:
    """'YYYY-MM-DD HH:MM' in Toronto time (or ISO 8601 with an offset)."""
    try:
        value = dt.datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise AlertError(
            f"{field}: {text!r} is not a time; write YYYY-MM-DD HH:MM (Toronto time)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=TORONTO)


def make_alert(
    *,
    title: str | None,
    message: str | None,
    link: str | None = None,
    until: str | dt.datetime | None = None,
    level: str | None = None,
    by: str | None = None,
    id: str | None = None,
    posted: dt.datetime | None = None,
    source: str = "command",
    where: str = "",
    at: dt.datetime | None = None,
) -> Alert:
    """Validate one alert; `where` prefixes every error (a file, or `--`)."""
    prefix = f"{where}: " if where else ""
    title = str(title or "").strip()
    message = " ".join(str(message or "").split())
    if not title:
        raise AlertError(f"{prefix}title: missing; an alert needs a short title")
    if len(title) > 120:
        raise AlertError(f"{prefix}title: {len(title)} characters, at most 120")
    if not message:
        raise AlertError(f"{prefix}message: missing; say what people should do")
    level = (level or "warning").strip().lower()
    if level not in LEVELS:
        raise AlertError(f"{prefix}level: {level!r} is not one of {', '.join(LEVELS)}")
    if link and not re.match(r"^(https://|/)", link):
        raise AlertError(
            f"{prefix}link: {link!r} must be https:// or a path on the site (/...)"
        )
    current = at or now()
    posted = posted or current.replace(microsecond=0)
    if isinstance(posted, dt.date) and not isinstance(posted, dt.datetime):
        raise AlertError(f"{prefix}posted: give a time, YYYY-MM-DD HH:MM")
    if posted.tzinfo is None:
        posted = posted.replace(tzinfo=TORONTO)
    posted = posted.astimezone(TORONTO)
    if isinstance(until, str):
        until = parse_time(until, f"{prefix}until")
    elif isinstance(until, dt.datetime) and until.tzinfo is None:
        until = until.replace(tzinfo=TORONTO)
    if until is not None and source == "command" and until <= current:
        raise AlertError(
            f"{prefix}until: {until:%Y-%m-%d %H:%M} is already past "
            f"(now {current.astimezone(TORONTO):%Y-%m-%d %H:%M} Toronto time)"
        )
    if until is not None:
        until = until.astimezone(TORONTO)
    if until is not None and until <= posted:
        raise AlertError(f"{prefix}until: must be after posted")
    alert_id = id or f"{posted.astimezone(TORONTO):%Y%m%d-%H%M}-{slug(title)}"
    if not ID.match(alert_id):
        raise AlertError(
            f"{prefix}id: {alert_id!r} must be lower-case letters, digits and dashes"
        )
    return Alert(
        id=alert_id,
        title=title,
        message=message,
        posted=posted,
        level=level,
        link=link or None,
        until=until,
        by=by,
        source=source,
    )


def slug(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:50].rstrip("-") or "alert"


def load_content_alerts(content: Path) -> list[Alert]:
    """content/alerts.yaml: a list of alerts (id, title, message, posted, and
    optional level, link, until). A missing file is no alerts."""
    path = Path(content) / "alerts.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("alerts") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise AlertError(f"{path}: alerts: must be a list of alerts")
    alerts, seen = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"{path}: alerts[{number}]"
        if not isinstance(entry, dict):
            raise AlertError(f"{where}: must be a mapping")
        unknown = set(entry) - FIELDS
        if unknown:
            raise AlertError(f"{where}: {', '.join(sorted(unknown))}: unknown field")
        for field in ("id", "posted"):
            if not entry.get(field):
                raise AlertError(f"{where}: {field}: missing")
        posted = entry["posted"]
        posted = (
            posted
            if isinstance(posted, dt.datetime)
            else parse_time(posted, f"{where}: posted")
        )
        fields = {"title": None, "message": None, **entry}
        alert = make_alert(
            **{k: v for k, v in fields.items() if k != "posted"},
            posted=posted,
            source="content",
            where=where,
        )
        if alert.id in seen:
            raise AlertError(f"{where}: id: {alert.id!r} appears twice")
        seen.add(alert.id)
        alerts.append(alert)
    return alerts


def newest_first(alerts: list[Alert]) -> list[Alert]:
    """By posting time, newest first; alerts posted in the same second keep
    the reverse of their given order (the one published last comes first)."""
    return sorted(reversed(alerts), key=lambda a: a.posted, reverse=True)


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _component():
    return _environment().get_template(COMPONENT).module


def render_banner(alerts: list[Alert], siteurl: str = "") -> str:
    """The banner for these alerts, from the theme's component template; the
    same markup the build puts in its pages. Empty string for no alerts."""
    return str(_component().alert_banner(alerts, siteurl))


def render_list(alerts: list[Alert], current_ids: list[str], siteurl: str) -> str:
    """The /alerts/ page's list, as the build renders it."""
    return str(_component().alert_list(alerts, current_ids, siteurl))


def render_page(shell: str, alert: Alert, ended: bool, page: dict) -> str:
    """An alert's own page: the build's alerts/live-alert/index.html with the
    placeholders replaced by this alert (escaped), as alert.html renders it."""
    from markupsafe import escape

    article = _component().alert_article(
        alert, ended, page.get("siteurl", ""), page.get("numbers", {})
    )
    environment = _environment()
    description = str(
        escape(environment.filters["truncate"](environment, alert.message, 300))
    )
    return (
        shell.replace(LIVE_MARKERS["article"], str(article))
        .replace(LIVE_MARKERS["url"], alert.url)
        .replace(LIVE_MARKERS["title"], str(escape(alert.title)))
        .replace(LIVE_MARKERS["description"], description)
    )


def atom_feed(alerts: list[Alert], origin: str, sitename: str) -> str:
    """The Atom feed of these alerts (newest first), /alerts/feed.atom.xml."""
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
            f"    <id>{xml_escape(link)}</id>\n"
            f"    <title>{xml_escape(alert.level.capitalize())}: {xml_escape(alert.title)}</title>\n"
            f'    <link rel="alternate" href="{xml_escape(link)}"/>\n'
            f"    <published>{alert.posted.isoformat()}</published>\n"
            f"    <updated>{alert.posted.isoformat()}</updated>\n"
            f"    <summary>{xml_escape(summary)}</summary>\n"
            "  </entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-CA">\n'
        f"  <title>{xml_escape(sitename)}: public alerts</title>\n"
        f"  <id>{xml_escape(origin)}/alerts/</id>\n"
        f'  <link rel="alternate" href="{xml_escape(origin)}/alerts/"/>\n'
        f'  <link rel="self" href="{xml_escape(origin)}/alerts/feed.atom.xml"/>\n'
        f"  <updated>{(updated.isoformat() if updated else '1970-01-01T00:00:00+00:00')}</updated>\n"
        f"  <author><name>{xml_escape(sitename)}</name></author>\n"
        + "".join(e + "\n" for e in entries)
        + "</feed>\n"
    )
