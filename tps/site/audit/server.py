"""Serve a built site from a real nginx with the shipped config (deploy/nginx/):
the same headers, CSP, gzip and, for the intranet, authentication."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..nginx import Nginx, free_port, shipped_server, write_htpasswd

CONFIGS = {"public": "tps-public.conf", "internal": "tps-internal.conf"}
AUDIT_USER = "audit"


@dataclass
class Served:
    url: str
    credentials: dict | None  # for Playwright's http_credentials


@contextmanager
def serve_site(site: str, folder: Path, run_dir: Path) -> Iterator[Served]:
    """nginx on a loopback port serving ``folder`` as ``site`` (public or internal).

    The shipped config serves /srv/tps/<site>/current; a symlink there points at
    the folder. The intranet gets a one-off htpasswd with a random password."""
    run_dir.mkdir(parents=True, exist_ok=True)
    current = run_dir / "srv" / site / "current"
    current.parent.mkdir(parents=True, exist_ok=True)
    current.unlink(missing_ok=True)
    current.symlink_to(Path(folder).resolve(), target_is_directory=True)
    _write_sample_alerts(run_dir / "srv")
    htpasswd, credentials = None, None
    if site == "internal":
        password = secrets.token_urlsafe(16)
        htpasswd = write_htpasswd(run_dir / "htpasswd", AUDIT_USER, password)
        credentials = {"username": AUDIT_USER, "password": password}
    port = free_port()
    server = shipped_server(CONFIGS[site], port, run_dir / "srv", run_dir, htpasswd)
    with Nginx(None, run_dir / "nginx", server, port=port) as nginx:
        yield Served(nginx.url, credentials)


LIVE_ALERT_URL = "/alerts/audit-missing-child/"  # a page `invoke alert` wrote


def _write_sample_alerts(srv: Path) -> None:
    """Every audited page shows a warning and an emergency alert through the
    same files `invoke alert` writes (the SSI banner, the /alerts/ list, each
    alert's own page), so axe checks the alert banner (contrast of both
    levels, its region and headings) on every page type, and an alert page."""
    from tps.alerts import command as live
    from tps.alerts.model import make_alert

    alerts = [
        make_alert(
            id=LIVE_ALERT_URL.strip("/").rsplit("/", 1)[-1],
            title="Audit: missing child, have you seen her?",
            message="Last seen near Yonge and Dundas. Call 911 if you see her.",
            level="emergency",
            link="/",
        ),
        make_alert(
            id="audit-road-closure",
            title="Audit: road closure",
            message="Lake Shore Boulevard is closed between Bay and Yonge.",
            level="warning",
        ),
    ]
    target = live.AlertTarget(str(srv))
    target.check()
    live.save(target, live.State(alerts=alerts), target.sites())
