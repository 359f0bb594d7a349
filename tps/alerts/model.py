"""Public alerts: the record, its validation and the banner markup.

One model for the build (content/alerts.yaml) and for `invoke alert`, which
publishes on a target without a rebuild; both render the same component
template (theme/templates/components/alert-banner.html)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

TORONTO = ZoneInfo("America/Toronto")
LEVELS = ("warning", "emergency")
COMPONENT = Path(__file__).resolve().parents[2] / "theme" / "templates" / "components"
FIELDS = {"id", "title", "message", "link", "level", "posted", "until", "by"}
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


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
    return dt.datetime.now(TORONTO)


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
    posted = posted or current.replace(second=0, microsecond=0)
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
    return sorted(alerts, key=lambda a: (a.posted, a.id), reverse=True)


def render_banner(alerts: list[Alert], siteurl: str = "") -> str:
    """The banner for these alerts, from the theme's component template; the
    same markup the build puts in its pages. Empty string for no alerts."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(COMPONENT)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("alert-banner.html")
    return template.module.alert_banner(alerts, siteurl)
