"""Incorrect content: links to pages of our own site that do not exist, and links
or mentions of accounts that look like the Service's but are not in the registry."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..findings import Hit
from .text import HANDLE, URL

OWN_HOSTS = ("tps.ca", "www.tps.ca", "torontopolice.on.ca", "www.torontopolice.on.ca")
SOCIAL_HOSTS = {
    "x.com": "x",
    "twitter.com": "x",
    "facebook.com": "facebook",
    "instagram.com": "instagram",
    "youtube.com": "youtube",
    "bsky.app": "bluesky",
    "mastodon.social": "mastodon",
    "flickr.com": "flickr",
    "tiktok.com": "tiktok",
    "linkedin.com": "linkedin",
}
# First path segments that are not accounts (x.com/intent/..., facebook.com/events/...).
NOT_ACCOUNTS = {
    "",
    "intent",
    "share",
    "sharer",
    "sharer.php",
    "events",
    "groups",
    "watch",
    "hashtag",
    "home",
    "search",
    "explore",
    "p",
    "reel",
    "stories",
    "i",
    "tags",
    "feed",
    "playlist",
    "shorts",
    "results",
}
# Only handles that claim to be the Service: linking to a partner (x.com/TTCnotices)
# is fine, linking to x.com/TPS_53_Division is what impostors rely on.
LOOKS_OFFICIAL = re.compile(r"tps|police|torontopol", re.IGNORECASE)


@dataclass(frozen=True)
class SocialLink:
    platform: str
    handle: str


def social_account(url: str) -> SocialLink | None:
    """The account a social media URL points to (a profile or one of its posts)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    platform = SOCIAL_HOSTS.get(host)
    if not platform:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if platform == "bluesky":
        handle = segments[1] if len(segments) > 1 and segments[0] == "profile" else ""
    elif platform == "flickr":
        handle = (
            segments[1]
            if len(segments) > 1 and segments[0] in ("photos", "people")
            else ""
        )
    elif platform == "linkedin":
        handle = (
            segments[1]
            if len(segments) > 1 and segments[0] in ("company", "in")
            else ""
        )
    else:
        handle = segments[0] if segments else ""
    handle = handle.removeprefix("@")
    if handle.lower() in NOT_ACCOUNTS:
        return None
    return SocialLink(platform, handle)


def registry_keys(accounts: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """(platform, handle) pairs from the unit files, in the form `check_links` uses."""
    return {(platform, handle.lower()) for platform, handle in accounts}


def check_links(
    text: str,
    *,
    site_paths: Collection[str] | None,
    registry: set[tuple[str, str]],
    platform: str = "",
    extra_links: Iterable[str] = (),
) -> list[Hit]:
    """`site_paths`: every path of the public site ("units/53-division/"), or
    None to skip that check. `platform`: where the text was posted, so an
    @mention is checked against that platform's handles. `extra_links`: hrefs
    of the item's HTML that are not written in its text (reported at offset 0)."""
    hits = []
    written = [
        (m.start(), m.end(), m.group().rstrip(".,;:!?")) for m in URL.finditer(text)
    ]
    seen = {url for _, _, url in written}
    spans = written + [(0, 0, url) for url in extra_links if url not in seen]
    for start, end, url in spans:
        full = url if "://" in url else f"https://{url}"
        parts = urlsplit(full)
        host = (parts.hostname or "").lower()
        if site_paths is not None and host in OWN_HOSTS:
            path = parts.path.lstrip("/")
            if path.endswith("index.html"):
                path = path.removesuffix("index.html")
            if path and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
                path += "/"
            if path not in site_paths:
                hits.append(
                    Hit(
                        "broken-link",
                        start,
                        end,
                        f"links to {full}, which is not a page of the site",
                        "",
                    )
                )
            continue
        account = social_account(full)
        if (
            account
            and LOOKS_OFFICIAL.search(account.handle)
            and (account.platform, account.handle.lower()) not in registry
        ):
            hits.append(
                Hit(
                    "unofficial-account",
                    start,
                    end,
                    f"links to the {account.platform} account '{account.handle}', which is not in the official account registry",
                    "check the account at /social-media/accounts/ before linking",
                )
            )
    if platform:
        for match in HANDLE.finditer(text):
            handle = match.group()[1:].split("@")[0].rstrip(".")
            if (
                LOOKS_OFFICIAL.search(handle)
                and (platform, handle.lower()) not in registry
            ):
                hits.append(
                    Hit(
                        "unofficial-account",
                        match.start(),
                        match.start() + 1 + len(handle),
                        f"mentions @{handle}, which is not an official {platform} account in the registry",
                        "check the account at /social-media/accounts/ before mentioning it",
                    )
                )
    return hits
