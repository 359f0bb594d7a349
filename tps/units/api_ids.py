"""The format of each platform's own account id (`api_id` in unit files)."""

from __future__ import annotations

import re

# platform -> (pattern, what it should look like)
API_ID_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "facebook": (re.compile(r"\d{5,20}"), "a numeric Facebook Page id"),
    "instagram": (re.compile(r"\d{5,20}"), "a numeric Instagram user id"),
    "threads": (re.compile(r"\d{5,20}"), "a numeric Threads user id"),
    "x": (re.compile(r"\d{1,20}"), "a numeric X user id (not the @handle)"),
    "youtube": (
        re.compile(r"UC[A-Za-z0-9_-]{22}"),
        "a YouTube channel id: UC and 22 letters, digits, - or _",
    ),
    "bluesky": (
        re.compile(r"did:(?:plc:[a-z2-7]{24}|web:[A-Za-z0-9.-]+)"),
        "a Bluesky DID (did:plc:<24 base32 characters> or did:web:<host>)",
    ),
    "mastodon": (re.compile(r"\d{1,20}"), "a numeric Mastodon account id"),
    "tiktok": (re.compile(r"[A-Za-z0-9_-]{4,64}"), "a TikTok open_id"),
}


def api_id_problem(platform: str, api_id: str) -> str | None:
    """Why `api_id` is not a valid id for `platform`, or None if it is."""
    known = API_ID_FORMATS.get(platform)
    if known is None:
        return f"{platform} has no API connector: remove `api_id`"
    pattern, shape = known
    if not pattern.fullmatch(api_id):
        return f"'{api_id}' is not {shape}"
    return None
