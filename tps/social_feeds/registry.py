"""The feeds to fetch: every account in the unit files that has a `feed` URL
or an `api_id` (read through its platform's API: connectors/).

There is no second list to keep: the unit files are the registry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tps.core.accounts import account_key
from tps.core.problems import ContentError
from tps.units import Directory, load_directory


@dataclass(frozen=True)
class FeedAccount:
    key: str  # "platform:handle"
    platform: str
    handle: str
    url: str  # the account's profile page
    feed: str  # the feed URL ("" for an account read only through its API)
    unit: str  # unit slug
    unit_name: str
    member: str | None  # member name, or None for the unit's own account
    api_id: str | None = None  # the platform's own id, for its API connector


def feed_accounts(
    content: Path, directory: Directory | None = None
) -> list[FeedAccount]:
    """Every account with a feed, in directory order: of `directory` (a
    build's, from the context) or loaded from `content`. Bad unit files raise
    ContentError (the same problems the build reports)."""
    if directory is None:
        directory, problems = load_directory(Path(content))
        if problems:
            raise ContentError(problems)
    return [
        FeedAccount(
            key=account_key(record.account.platform, record.account.handle),
            platform=record.account.platform,
            handle=record.account.handle,
            url=record.account.url,
            feed=record.account.feed or "",
            unit=record.unit.slug,
            unit_name=record.unit.unit.name,
            member=record.member.name if record.member else None,
            api_id=record.account.api_id,
        )
        for record in directory.accounts
        if record.account.feed or record.account.api_id
    ]
