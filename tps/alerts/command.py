"""`invoke alert`: publish, clear and list site-wide alerts on a target
without a rebuild.

On the target (a local path or user@host:path, as for publish), beside the
sites' release folders so that publishes never touch it:

  <target>/alerts/state.json    the alerts published by this command, and the
                                ids of content/alerts.yaml alerts cleared
  <target>/alerts/banner.html   what every page shows: nginx includes it with
                                SSI (deploy/nginx/), written atomically
  <target>/alerts/log.jsonl     append-only: every publish, clear and expiry,
                                with who and when

The banner is the active alerts of both sources, newest first: this
command's and those of content/alerts.yaml that the live release was built
with (its /alerts/alerts.json), so the command needs no copy of the content. Each change
rewrites it; `expire` (run every minute by the installed schedule) rewrites it
when an alert's `until` has passed."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import shlex
import subprocess
from dataclasses import dataclass, field

from tps.alerts.model import (
    Alert,
    AlertError,
    make_alert,
    newest_first,
    now,
    render_banner,
)
from tps.deploy.deploy import Target

EMPTY = (
    "<!-- tps-alerts: none -->\n"  # not empty: SSI shows its stub for an empty include
)


@dataclass
class State:
    alerts: list[Alert] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return (
            json.dumps(
                {"alerts": [a.to_json() for a in self.alerts], "cleared": self.cleared},
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )


class AlertTarget:
    """The alerts folder of a published target, read and written with the
    same commands locally or over ssh."""

    def __init__(self, spec: str):
        self.spec = spec
        self.target = Target.parse(spec, "alerts")
        self.root = self.target.root
        self.site_root = self.root.rsplit("/", 1)[0]

    def check(self) -> None:
        """A clear error before anything changes: the target must be a
        published one (a site's `current`) and writable."""
        quoted = shlex.quote(self.site_root)
        script = (
            f"[ -d {quoted} ] || {{ >&2 echo 'no such folder'; exit 1; }}; "
            f"[ -e {quoted}/public/current ] || [ -e {quoted}/internal/current ] || "
            f"{{ >&2 echo 'no published site (public/current or internal/current): run invoke publish first'; exit 1; }}; "
            f"mkdir -p {shlex.quote(self.root)} 2>/dev/null && [ -w {shlex.quote(self.root)} ] || "
            f"{{ >&2 echo 'not writable'; exit 1; }}"
        )
        self._stdin(script, "")

    def content_alerts(self) -> list[Alert]:
        """The alerts the published build holds (content/alerts.yaml)."""
        quoted = shlex.quote(self.site_root)
        text = self.target.run(
            "sh",
            "-c",
            f"cat {quoted}/public/current/alerts/alerts.json 2>/dev/null || "
            f"cat {quoted}/internal/current/alerts/alerts.json 2>/dev/null || true",
        )
        if not text.strip():
            return []
        try:
            return [Alert.from_json(a) for a in json.loads(text)["alerts"]]
        except (ValueError, TypeError, KeyError) as error:
            raise AlertError(
                f"target {self.spec}: current/alerts/alerts.json is unreadable ({error})"
            ) from None

    def read_state(self) -> State:
        text = self.target.run(
            "sh", "-c", f"cat {shlex.quote(self.root)}/state.json 2>/dev/null || true"
        )
        if not text.strip():
            return State()
        try:
            data = json.loads(text)
            return State(
                [Alert.from_json(a) for a in data.get("alerts", [])],
                list(data.get("cleared", [])),
            )
        except (ValueError, TypeError, KeyError) as error:
            raise AlertError(
                f"target {self.spec}: {self.root}/state.json is unreadable ({error}); "
                "fix or remove it"
            ) from None

    def write(self, name: str, text: str) -> None:
        """Write a file atomically: a temporary file beside it, then a rename."""
        path = f"{self.root}/{name}"
        temporary = f"{self.root}/.{name}.tmp"
        self._stdin(
            f"umask 022; cat > {shlex.quote(temporary)} && mv -f {shlex.quote(temporary)} {shlex.quote(path)}",
            text,
        )

    def log(self, entry: dict) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        self._stdin(f"umask 022; cat >> {shlex.quote(self.root)}/log.jsonl", line)

    def read_log(self) -> list[dict]:
        text = self.target.run(
            "sh", "-c", f"cat {shlex.quote(self.root)}/log.jsonl 2>/dev/null || true"
        )
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def _stdin(self, script: str, text: str) -> None:
        argv = ["sh", "-c", script]
        if self.target.host:
            argv = ["ssh", "-o", "BatchMode=yes", self.target.host, shlex.join(argv)]
        result = subprocess.run(
            argv, input=text, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise AlertError(f"target {self.spec}: {result.stderr.strip()}")


def shown(
    state: State, content: list[Alert], at: dt.datetime | None = None
) -> list[Alert]:
    """What the banner shows: active alerts of both sources, newest first."""
    moment = at or now()
    by_id = {a.id: a for a in content if a.id not in state.cleared}
    by_id.update({a.id: a for a in state.alerts})
    return newest_first([a for a in by_id.values() if a.active(moment)])


def banner_text(alerts: list[Alert]) -> str:
    return render_banner(alerts) if alerts else EMPTY


def who(by: str | None) -> str:
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _entry(action: str, by: str | None, **extra) -> dict:
    return {
        "at": now().isoformat(timespec="seconds"),
        "action": action,
        "by": who(by),
        **extra,
    }


def publish_alert(
    spec: str,
    *,
    title: str | None,
    message: str | None,
    link: str | None = None,
    until: str | None = None,
    level: str | None = None,
    by: str | None = None,
) -> Alert:
    """Validate, then add the alert and rewrite the banner. Bad input or an
    unusable target raises AlertError before anything is written."""
    alert = make_alert(
        title=title, message=message, link=link, until=until, level=level, by=who(by)
    )
    target = AlertTarget(spec)
    target.check()
    state = target.read_state()
    taken = {a.id for a in state.alerts}
    if alert.id in taken:  # the same title within the same minute
        alert = make_alert(**{**_args(alert), "id": _unique(alert.id, taken)})
    state.alerts.append(alert)
    _save(target, state)
    target.log(_entry("publish", by, id=alert.id, alert=alert.to_json()))
    return alert


def _args(alert: Alert) -> dict:
    data = alert.to_json()
    return {
        "title": data["title"],
        "message": data["message"],
        "link": data["link"],
        "until": alert.until,
        "level": data["level"],
        "by": data["by"],
        "posted": alert.posted,
    }


def _unique(base: str, taken: set[str]) -> str:
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def clear_alerts(
    spec: str, *, id: str | None = None, by: str | None = None
) -> list[str]:
    """Clear one alert (by id) or every shown alert; returns the ids cleared."""
    target = AlertTarget(spec)
    target.check()
    state = target.read_state()
    content = target.content_alerts()
    current = shown(state, content)
    if id is not None:
        known = {a.id for a in state.alerts} | {a.id for a in content}
        if id not in known:
            listed = ", ".join(a.id for a in current) or "none"
            raise AlertError(f"--id: no alert {id!r} on {spec}; current: {listed}")
        doomed = [id]
    else:
        doomed = [a.id for a in current] + [a.id for a in state.alerts]
    doomed = list(dict.fromkeys(doomed))
    state.alerts = [a for a in state.alerts if a.id not in doomed]
    content_ids = {a.id for a in content}
    state.cleared = sorted(set(state.cleared) | (set(doomed) & content_ids))
    _save(target, state)
    target.log(_entry("clear", by, ids=doomed))
    return doomed


def expire(spec: str) -> list[str]:
    """Drop alerts whose `until` has passed and rewrite the banner (the
    schedule runs this every minute). Returns the ids expired."""
    target = AlertTarget(spec)
    target.check()
    state = target.read_state()
    moment = now()
    ended = [a.id for a in state.alerts if a.until is not None and a.until <= moment]
    state.alerts = [a for a in state.alerts if a.id not in ended]
    _save(target, state, at=moment)
    if ended:
        target.log(_entry("expire", "schedule", ids=ended))
    return ended


def list_alerts(spec: str) -> list[Alert]:
    target = AlertTarget(spec)
    target.check()
    return shown(target.read_state(), target.content_alerts())


def _save(target: AlertTarget, state: State, at: dt.datetime | None = None) -> None:
    banner = banner_text(shown(state, target.content_alerts(), at))
    target.write("state.json", state.to_json())
    target.write("banner.html", banner)
