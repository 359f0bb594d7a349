"""`invoke alert`: publish, clear and list site-wide alerts on a target
without a rebuild.

On the target (a local path or user@host:path, as for publish), beside the
sites' release folders so that publishes never touch it:

  <target>/alerts/state.json    the alerts published by this command (current
                                and ended), and the ids of content/alerts.yaml
                                alerts cleared
  <target>/alerts/banner.html   what every page shows: nginx includes it with
                                SSI (deploy/nginx/)
  <target>/alerts/list.html     the /alerts/ page's list, included the same way
  <target>/alerts/site/<site>/alerts/<id>/index.html
                                each command alert's own page, and the site's
  <target>/alerts/site/<site>/alerts/feed.atom.xml
                                Atom feed of every alert: nginx serves them
                                before the release's own
  <target>/alerts/log.jsonl     append-only: every publish, clear and expiry,
                                with who and when (also kept in the records
                                archive, when there is one)

Every file is written atomically (a temporary file, then a rename), under a
lock so that two runs (an operator's and the minutely expiry) never
interleave. The banner holds the active alerts of both sources, newest first:
this command's and those of content/alerts.yaml that the live release was
built with (its /alerts/alerts.json), so the command needs no copy of the
content. An alert's page is the live release's alerts/live-alert/index.html filled
in, so it has the release's layout; `expire` (run every minute by the
installed schedule) rewrites everything, so a publish's new layout reaches
these pages within a minute too."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import io
import json
import logging
import shlex
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from tps.alerts.model import (
    Alert,
    AlertError,
    atom_feed,
    make_alert,
    newest_first,
    now,
    render_banner,
    render_list,
    render_page,
)
from tps.deploy.deploy import Target

EMPTY = (
    "<!-- tps-alerts: none -->\n"  # not empty: SSI shows its stub for an empty include
)


SITES = ("public", "internal")
HISTORY = 100  # ended command alerts kept (their pages and feed entries)
LOCK_WAIT_SECONDS = 20
LOCK_STALE_SECONDS = 120  # a run killed while holding the lock

log = logging.getLogger(__name__)


@dataclass
class State:
    alerts: list[Alert] = field(default_factory=list)  # current
    cleared: list[str] = field(default_factory=list)  # content alerts taken down
    ended: list[Alert] = field(default_factory=list)  # cleared or expired, newest first

    def end(self, ids: list[str]) -> None:
        gone = [a for a in self.alerts if a.id in ids]
        self.alerts = [a for a in self.alerts if a.id not in ids]
        self.ended = newest_first(gone + self.ended)[:HISTORY]

    def to_json(self) -> str:
        return (
            json.dumps(
                {
                    "alerts": [a.to_json() for a in self.alerts],
                    "cleared": self.cleared,
                    "ended": [a.to_json() for a in self.ended],
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )


@dataclass
class Site:
    """What a published site's live release says about its alerts."""

    name: str
    alerts: list[Alert]  # content/alerts.yaml, as built
    page: dict  # siteurl, origin, sitename, emergency numbers
    shell: str  # alerts/live-alert/index.html


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
        self._stdin(script, b"")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One run at a time on a target: a lock folder (mkdir is atomic, on
        any host), waited for, and taken over when a killed run left it."""
        lock = shlex.quote(f"{self.root}/.lock")
        tries = int(LOCK_WAIT_SECONDS / 0.2)
        self._stdin(
            f"i=0; while ! mkdir {lock} 2>/dev/null; do "
            f"age=$(( $(date +%s) - $(stat -c %Y {lock} 2>/dev/null || date +%s) )); "
            f"if [ $age -gt {LOCK_STALE_SECONDS} ]; then rm -rf {lock}; continue; fi; "
            f"i=$((i+1)); if [ $i -gt {tries} ]; then "
            f'>&2 echo "another invoke alert has been running on this target for $age s; try again"; exit 1; fi; '
            "sleep 0.2; done",
            b"",
        )
        try:
            yield
        finally:
            self._stdin(f"rm -rf {lock}", b"")

    def sites(self) -> list[Site]:
        """The published sites and what their live release holds."""
        found = []
        for name in SITES:
            current = f"{self.site_root}/{name}/current/alerts"
            text = self._read(f"{current}/alerts.json")
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                alerts = [Alert.from_json(a) for a in data["alerts"]]
            except (ValueError, TypeError, KeyError) as error:
                raise AlertError(
                    f"target {self.spec}: {name}/current/alerts/alerts.json is "
                    f"unreadable ({error})"
                ) from None
            shell = self._read(f"{current}/live-alert/index.html")
            found.append(Site(name, alerts, data.get("page") or {}, shell))
        return found

    def read_state(self) -> State:
        text = self._read(f"{self.root}/state.json")
        if not text.strip():
            return State()
        try:
            data = json.loads(text)
            return State(
                [Alert.from_json(a) for a in data.get("alerts", [])],
                list(data.get("cleared", [])),
                [Alert.from_json(a) for a in data.get("ended", [])],
            )
        except (ValueError, TypeError, KeyError) as error:
            raise AlertError(
                f"target {self.spec}: {self.root}/state.json is unreadable ({error}); "
                "fix or remove it"
            ) from None

    def write(self, files: dict[str, str]) -> None:
        """Write files under the alerts folder, each atomically: sent as one
        tar stream to a staging folder beside them, then each renamed into
        place (a rename within one file system is atomic)."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            for name, text in sorted(files.items()):
                data = text.encode("utf-8")
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), 0o644
                archive.addfile(info, io.BytesIO(data))
        root = shlex.quote(self.root)
        self._stdin(
            f"umask 022; cd {root} && stage=$(mktemp -d .stage.XXXXXX) && "
            'tar -x --no-same-owner -C "$stage" && '
            '(cd "$stage" && find . -type f) | while IFS= read -r name; do '
            'mkdir -p "$(dirname "$name")" && mv -f "$stage/$name" "$name" || exit 1; done; '
            'status=$?; rm -rf "$stage"; exit $status',
            buffer.getvalue(),
        )

    def log(self, entry: dict) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        self._stdin(
            f"umask 022; cat >> {shlex.quote(self.root)}/log.jsonl",
            line.encode("utf-8"),
        )
        record_in_archive(entry, self.spec)

    def read_log(self) -> list[dict]:
        text = self._read(f"{self.root}/log.jsonl")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def _read(self, path: str) -> str:
        return self.target.run(
            "sh", "-c", f"cat {shlex.quote(path)} 2>/dev/null || true"
        )

    def _stdin(self, script: str, data: bytes) -> None:
        argv = ["sh", "-c", script]
        if self.target.host:
            argv = ["ssh", "-o", "BatchMode=yes", self.target.host, shlex.join(argv)]
        result = subprocess.run(argv, input=data, capture_output=True, check=False)
        if result.returncode != 0:
            error = result.stderr.decode("utf-8", "replace").strip()
            raise AlertError(f"target {self.spec}: {error}")


def record_in_archive(entry: dict, spec: str) -> None:
    """Keep the change in the records archive too, when this machine has one
    (TPS_ARCHIVE, or feeds/archive.sqlite). The target's log already holds it,
    so an archive that is busy or broken is a warning, not a failed alert."""
    from tps.records_archive import ArchiveError, open_archive
    from tps.social_feeds.settings import project_archive

    path = project_archive()
    if not path.exists():
        return
    try:
        archive = open_archive(path)
        try:
            archive.record_alert(entry, spec)
        finally:
            archive.close()
    except ArchiveError as error:
        log.warning("alert change not kept in the records archive: %s", error)


def shown(
    state: State, content: list[Alert], at: dt.datetime | None = None
) -> list[Alert]:
    """What the banner shows: active alerts of both sources, newest first."""
    moment = at or now()
    by_id = {a.id: a for a in content if a.id not in state.cleared}
    by_id.update({a.id: a for a in state.alerts})
    return newest_first([a for a in by_id.values() if a.active(moment)])


def every(state: State, content: list[Alert]) -> list[Alert]:
    """Every alert that has a page: current and ended, both sources."""
    by_id = {a.id: a for a in content}
    by_id.update({a.id: a for a in [*state.ended, *state.alerts]})
    return newest_first(list(by_id.values()))


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
    with target.locked():
        state = target.read_state()
        sites = target.sites()
        taken = {a.id for a in every(state, _content(sites))}
        if alert.id in taken:  # the same title within the same minute
            alert = make_alert(**{**_args(alert), "id": _unique(alert.id, taken)})
        state.alerts.append(alert)
        save(target, state, sites)
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


def _content(sites: list[Site]) -> list[Alert]:
    return sites[0].alerts if sites else []


def clear_alerts(
    spec: str, *, id: str | None = None, by: str | None = None
) -> list[str]:
    """Clear one alert (by id) or every shown alert; returns the ids cleared."""
    target = AlertTarget(spec)
    target.check()
    with target.locked():
        state = target.read_state()
        sites = target.sites()
        content = _content(sites)
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
        state.end(doomed)
        content_ids = {a.id for a in content}
        state.cleared = sorted(set(state.cleared) | (set(doomed) & content_ids))
        save(target, state, sites)
        target.log(_entry("clear", by, ids=doomed))
    return doomed


def expire(spec: str) -> list[str]:
    """Drop alerts whose `until` has passed and rewrite every file (the
    schedule runs this every minute). Returns the ids expired."""
    target = AlertTarget(spec)
    target.check()
    with target.locked():
        state = target.read_state()
        moment = now()
        ended = [
            a.id for a in state.alerts if a.until is not None and a.until <= moment
        ]
        state.end(ended)
        save(target, state, target.sites(), at=moment)
        if ended:
            target.log(_entry("expire", "schedule", ids=ended))
    return ended


def list_alerts(spec: str) -> list[Alert]:
    target = AlertTarget(spec)
    target.check()
    return shown(target.read_state(), _content(target.sites()))


def save(
    target: AlertTarget, state: State, sites: list[Site], at: dt.datetime | None = None
) -> None:
    content = _content(sites)
    current = shown(state, content, at)
    current_ids = [a.id for a in current]
    alerts = every(state, content)
    files = {
        "state.json": state.to_json(),
        "banner.html": banner_text(current),
        "list.html": render_list(alerts, current_ids, ""),
    }
    command_alerts = [*state.alerts, *state.ended]
    for site in sites:
        folder = f"site/{site.name}/alerts"
        page = site.page
        files[f"{folder}/feed.atom.xml"] = atom_feed(
            alerts, page.get("origin", ""), page.get("sitename", "")
        )
        if not site.shell:  # a release built before alert pages existed
            continue
        for alert in command_alerts:
            files[f"{folder}/{alert.id}/index.html"] = render_page(
                site.shell, alert, alert.id not in current_ids, page
            )
    target.write(files)
