"""What a unit file may hold. Unknown keys are errors, dates are real dates."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from .accountrules import check_handle, check_url

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Platform = Literal[
    "x",
    "facebook",
    "instagram",
    "youtube",
    "mastodon",
    "bluesky",
    "flickr",
    "tiktok",
    "linkedin",
]


def _https(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"'{value}' must be an https:// URL")
    return value


def _feed_url(value: str) -> str:
    """https, or plain http only on a loopback host (a bridge beside the build)."""
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.netloc:
        return value
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        return value
    raise ValueError(f"'{value}' must be https:// (http:// only on a loopback host)")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


HttpsUrl = Annotated[str, AfterValidator(_https)]
FeedUrl = Annotated[str, AfterValidator(_feed_url)]
Phone = Annotated[str, StringConstraints(pattern=r"^\d{3}-\d{3}-\d{4}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Account(Strict):
    platform: Platform
    handle: Text
    url: HttpsUrl
    feed: FeedUrl | None = None
    # The platform's own id for the account, read through its official API
    # when there is no `feed` (format checked per platform: api_ids.py).
    api_id: Text | None = None
    verified: dt.date
    review_due: dt.date

    @field_validator("handle")
    @classmethod
    def _handle_rules(cls, value: str, info: ValidationInfo) -> str:
        platform = info.data.get("platform")
        return check_handle(platform, value) if platform else value

    @field_validator("url")
    @classmethod
    def _on_platform_host(cls, value: str, info: ValidationInfo) -> str:
        platform = info.data.get("platform")
        return check_url(platform, value) if platform else value


class Member(Strict):
    name: Text
    rank: Text
    role: Text
    email: Email | None = None
    vetted: dt.date
    accounts: list[Account] = []


class Meeting(Strict):
    title: Text
    when: Text
    where: Text


class Unit(Strict):
    name: Text
    kind: Literal["division", "community-consultative-group", "unit"]
    summary: Text
    neighbourhoods: list[Text] = []
    address: Text
    phone: Phone
    email: Email
    hours: Text
    commander: Text
    meetings: list[Meeting] = []
    accounts: list[Account] = []
    members: list[Member] = []
