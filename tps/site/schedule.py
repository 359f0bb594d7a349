"""`invoke schedule`: a systemd timer + service (or a crontab line where systemd
is absent) that runs `invoke publish` every N minutes or hours."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

from tps.core.paths import ROOT

UNIT = "tps-publish"
EXPIRE_UNIT = "tps-alerts-expire"  # every minute: alerts past `until` leave the pages
LOG = "/var/log/tps-publish.log"


def parse_every(every: str) -> int:
    """'15m' or '1h' -> minutes."""
    match = re.fullmatch(r"(\d+)\s*(m|min|h)", every.strip())
    if not match or int(match[1]) == 0:
        raise ValueError(f"--every must look like 15m or 1h, not {every!r}")
    minutes = int(match[1]) * (60 if match[2] == "h" else 1)
    if minutes < 5:
        raise ValueError(
            "--every must be at least 5m: a publish takes a while and feeds rate-limit"
        )
    return minutes


def publish_command(target: str, site: str, refresh_feeds: bool = True) -> str:
    command = (
        f"{ROOT}/.venv/bin/invoke publish --target {shlex.quote(target)} --site {site}"
    )
    return command if refresh_feeds else f"{command} --no-refresh-feeds"


def systemd_units(
    every: str, target: str, site: str, refresh_feeds: bool = True
) -> dict[str, str]:
    minutes = parse_every(every)
    service = f"""[Unit]
Description=Refresh, build, check and publish the TPS websites
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={ROOT}
ExecStart={publish_command(target, site, refresh_feeds)}
# One summary line per run lands in the journal: journalctl -u {UNIT}
Nice=10
"""
    timer = f"""[Unit]
Description=Publish the TPS websites every {minutes} minutes

[Timer]
OnBootSec=2min
OnUnitActiveSec={minutes}min
RandomizedDelaySec=30s
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {
        f"{UNIT}.service": service,
        f"{UNIT}.timer": timer,
        **expiry_units(target),
    }


def expire_command(target: str) -> str:
    return f"{ROOT}/.venv/bin/invoke alert --expire --target {shlex.quote(target)}"


def expiry_units(target: str) -> dict[str, str]:
    """A minutely timer that drops alerts past their `until` from the pages."""
    service = f"""[Unit]
Description=Expire TPS site-wide alerts past their end time

[Service]
Type=oneshot
WorkingDirectory={ROOT}
ExecStart={expire_command(target)}
"""
    timer = """[Unit]
Description=Expire TPS site-wide alerts every minute

[Timer]
OnCalendar=*-*-* *:*:00
AccuracySec=1s
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {f"{EXPIRE_UNIT}.service": service, f"{EXPIRE_UNIT}.timer": timer}


def expiry_cron_line(target: str) -> str:
    return f"* * * * * cd {ROOT} && {expire_command(target)} >> {LOG} 2>&1  # {EXPIRE_UNIT}"


def cron_line(every: str, target: str, site: str, refresh_feeds: bool = True) -> str:
    minutes = parse_every(every)
    when = f"*/{minutes} * * * *" if minutes < 60 else f"0 */{minutes // 60} * * *"
    return f"{when} cd {ROOT} && {publish_command(target, site, refresh_feeds)} >> {LOG} 2>&1  # {UNIT}"


def has_systemd() -> bool:
    return Path("/run/systemd/system").is_dir()


def install(
    every: str,
    target: str,
    site: str,
    refresh_feeds: bool = True,
    systemd_dir: Path = Path("/etc/systemd/system"),
) -> str:
    if has_systemd():
        for name, text in systemd_units(every, target, site, refresh_feeds).items():
            (systemd_dir / name).write_text(text)
        subprocess.run(["systemctl", "daemon-reload"], check=True)
        subprocess.run(
            ["systemctl", "enable", "--now", f"{UNIT}.timer", f"{EXPIRE_UNIT}.timer"],
            check=True,
        )
        return (
            f"installed {systemd_dir}/{UNIT}.timer (systemctl list-timers {UNIT}.timer)"
        )
    if shutil.which("crontab") is None:
        raise OSError(
            "neither systemd nor cron is running here: install cron "
            "(apt-get install cron) or add this line to your scheduler:\n"
            + cron_line(every, target, site, refresh_feeds)
        )
    current = subprocess.run(
        ["crontab", "-l"], capture_output=True, text=True, check=False
    ).stdout
    kept = [
        line
        for line in current.splitlines()
        if not line.endswith((f"# {UNIT}", f"# {EXPIRE_UNIT}"))
    ]
    lines = [cron_line(every, target, site, refresh_feeds), expiry_cron_line(target)]
    table = "\n".join([*kept, *lines]) + "\n"
    subprocess.run(["crontab", "-"], input=table, text=True, check=True)
    return f"installed a crontab line; each run appends one summary line to {LOG}"
