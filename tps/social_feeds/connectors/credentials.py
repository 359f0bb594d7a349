"""API credentials (never in the repository) and API bases.

Credentials: a YAML file named by TPS_SOCIAL_CREDENTIALS (default
/etc/tps/social-credentials.yaml), readable by its owner only:

    facebook: {access_token: ...}
    instagram: {access_token: ...}
    x: {bearer_token: ...}
    youtube: {api_key: ...}

Bases: each platform's real API, or TPS_SOCIAL_API_<PLATFORM> (https, or
plain http on a loopback host).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import yaml

CREDENTIALS_ENV = "TPS_SOCIAL_CREDENTIALS"
DEFAULT_CREDENTIALS = Path("/etc/tps/social-credentials.yaml")
BASE_ENV = "TPS_SOCIAL_API_{}"
REDACTED = "[redacted]"
# Query parameters that carry a secret, should one ever reach a URL.
_SECRET_PARAMS = re.compile(
    r"(?i)\b(access_token|bearer_token|api_key|key|client_secret|token)=[^&\s\"']+"
)
_BEARER = re.compile(r"(?i)\b(bearer|oauth)\s+[A-Za-z0-9._~+/=-]{8,}")


class CredentialsError(Exception):
    """The credentials file exists but cannot be used; the message says why."""


def credentials_path(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    return Path(environ.get(CREDENTIALS_ENV) or DEFAULT_CREDENTIALS)


def load_credentials(path: Path) -> dict[str, dict[str, str]]:
    """platform -> {key: secret}. A missing file is no credentials; a file its
    group or others can read is refused."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise CredentialsError(
            f"{path}: cannot read the credentials ({error})"
        ) from None
    if info.st_mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
        raise CredentialsError(
            f"{path}: refusing the social media credentials file, its group or "
            f"others can read it (mode {stat.filemode(info.st_mode)}); "
            f"run: chmod 600 {path}"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CredentialsError(
            f"{path}: cannot read the credentials ({error})"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        # Not the parser's message: it may quote the line, secret included.
        raise CredentialsError(f"{path}:{line}: not valid YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CredentialsError(f"{path}: must be a mapping of platform: {{key: value}}")
    out: dict[str, dict[str, str]] = {}
    for platform, values in data.items():
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str | int) for k, v in values.items()
        ):
            raise CredentialsError(
                f"{path}: `{platform}` must be a mapping of key: value "
                "(e.g. facebook: {access_token: ...})"
            )
        out[str(platform)] = {k: str(v).strip() for k, v in values.items()}
    return out


def api_base(platform: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The TPS_SOCIAL_API_<PLATFORM> override, checked; None when unset."""
    environ = os.environ if environ is None else environ
    name = BASE_ENV.format(platform.upper())
    value = (environ.get(name) or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    loopback = parts.scheme == "http" and _is_loopback(parts.hostname or "")
    if not parts.netloc or not (parts.scheme == "https" or loopback):
        raise CredentialsError(
            f"{name}={value!r}: an API base must be https:// "
            "(plain http:// only on a loopback host)"
        )
    return value.rstrip("/")


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret, secret-bearing query parameter and bearer
    header value replaced: what reaches an error, a log or the report."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
