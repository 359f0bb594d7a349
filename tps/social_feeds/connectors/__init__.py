"""Official-API connectors, one per platform, beside the feed reader.

An account with a `feed` is read as a feed; one with an `api_id` and no feed
goes through its platform's API (YouTube: through the Data API when an
api_key is configured, its Atom feed otherwise). `plan` decides, per account,
before the refresh starts; a platform without credentials is skipped with
one notice, not an error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..registry import FeedAccount
from .base import ApiCall, ApiFailure, Connector
from .credentials import CredentialsError, api_base, scrub
from .graph import FacebookConnector, InstagramConnector
from .social import BlueskyConnector, MastodonConnector
from .x import XConnector
from .youtube import YouTubeConnector

CONNECTORS: dict[str, Connector] = {
    connector.platform: connector
    for connector in (
        FacebookConnector(),
        InstagramConnector(),
        XConnector(),
        YouTubeConnector(),
        BlueskyConnector(),
        MastodonConnector(),
    )
}


@dataclass(frozen=True)
class ApiPlan:
    connector: Connector
    base: str
    secret: str | None


@dataclass
class Plan:
    accounts: list[FeedAccount]  # to refresh; API accounts' `feed` is their request
    api: dict[str, ApiPlan]  # account key -> how to call its API
    notices: list[str] = field(default_factory=list)  # one line per skipped platform
    secrets: list[str] = field(default_factory=list)  # scrubbed from every error


def plan(
    accounts: list[FeedAccount],
    credentials: Mapping[str, Mapping[str, str]],
    *,
    credentials_file: Path,
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """Which accounts go through an API, which through their feed, which not
    at all (and why, once per platform). CredentialsError for a bad base."""
    out = Plan(accounts=[], api={})
    out.secrets = [v for values in credentials.values() for v in values.values() if v]
    skipped: dict[str, list[str]] = {}
    reasons: dict[str, str] = {}
    bases: dict[str, str | None] = {}
    for account in accounts:
        # A feed wins, except YouTube's Atom feed over its Data API with a key.
        use_api = account.api_id and (not account.feed or account.platform == "youtube")
        connector = CONNECTORS.get(account.platform) if use_api else None
        if connector is None:
            if account.feed:
                out.accounts.append(account)
            else:
                skipped.setdefault(account.platform, []).append(account.handle)
                reasons[account.platform] = "has no API connector yet"
            continue
        secret = None
        if connector.credential:
            secret = (credentials.get(connector.platform) or {}).get(
                connector.credential
            )
            if not secret:
                if account.feed:  # YouTube without a key: its Atom feed
                    out.accounts.append(account)
                    continue
                skipped.setdefault(account.platform, []).append(account.handle)
                reasons[account.platform] = (
                    f"no credentials ({connector.platform}: {connector.credential}) "
                    f"in {credentials_file}"
                )
                continue
        if connector.platform not in bases:
            bases[connector.platform] = api_base(connector.platform, environ)
        base = connector.base_for(account, bases[connector.platform])
        api = ApiPlan(connector, base, secret)
        if connector.platform == "youtube":
            label = YouTubeConnector().channel_call(account, base, None).url
        else:
            label = connector.call(account, base, None).url
        out.api[account.key] = api
        out.accounts.append(dataclasses.replace(account, feed=label))
    for platform, handles in skipped.items():
        out.notices.append(
            f"{platform}: {reasons[platform]}; {len(handles)} account"
            f"{'s' if len(handles) != 1 else ''} skipped ({_listed(handles)})"
        )
    return out


def _listed(handles: list[str], shown: int = 5) -> str:
    more = len(handles) - shown
    return ", ".join(handles[:shown]) + (f" and {more} more" if more > 0 else "")


__all__ = [
    "CONNECTORS",
    "ApiCall",
    "ApiFailure",
    "ApiPlan",
    "Connector",
    "CredentialsError",
    "Plan",
    "plan",
    "scrub",
]
