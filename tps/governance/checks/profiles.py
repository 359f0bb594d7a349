"""Profile guidelines (training lesson 2, "Brand and voice").

Display name pattern, as decided for the monitoring:
- it names the Service: contains "TPS" or "Toronto Police";
- a unit's own account names the unit: a division by its number ("TPS 53
  Division"), any other unit by the first word of its name ("TPS Black CCC",
  "TPS Traffic Services", "TPS Chief's Youth Advisory Committee");
- a member's account names the member: contains their surname ("PC Jasmine Ho, TPS").
The bio carries the disclaimer (not monitored 24/7, and 911 for emergencies)
and the profile links back to tps.ca (in the bio or the profile's link)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..findings import Hit

BRAND = re.compile(r"\bTPS\b|Toronto\s+Police", re.IGNORECASE)
NOT_MONITORED = re.compile(r"not\s+monitored\s+24\s*(?:/|-|\s)\s*7", re.IGNORECASE)
EMERGENCY = re.compile(r"\b911\b")
LINK_BACK = re.compile(
    r"\b(?:www\.)?(?:tps\.ca|torontopolice\.on\.ca)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class ProfileOwner:
    unit_name: str
    member: str | None = None  # full name; None for the unit's own account


def unit_key(unit_name: str) -> str:
    """What a unit account's display name must contain: "53", "Black", "Traffic"."""
    number = re.fullmatch(r"(\d+) Division", unit_name)
    return number.group(1) if number else unit_name.split()[0]


def check_display_name(name: str, owner: ProfileOwner) -> list[Hit]:
    missing = []
    if not BRAND.search(name):
        missing.append('"TPS" or "Toronto Police"')
    if owner.member:
        surname = owner.member.split()[-1]
        if surname.lower() not in name.lower():
            missing.append(f"the member's name ({owner.member})")
        example = f"PC {owner.member}, TPS"
    else:
        key = unit_key(owner.unit_name)
        if not re.search(rf"(?<!\w){re.escape(key)}(?!\w)", name, re.IGNORECASE):
            missing.append(f"the unit ({key})")
        example = f"TPS {owner.unit_name}"
    if not missing:
        return []
    return [
        Hit(
            "profile-name",
            0,
            len(name),
            f"the display name does not include {' and '.join(missing)}",
            example,
        )
    ]


def check_bio(bio: str, link: str = "") -> list[Hit]:
    hits = []
    missing = []
    if not NOT_MONITORED.search(bio):
        missing.append('"Not monitored 24/7"')
    if not EMERGENCY.search(bio):
        missing.append('"In an emergency call 911"')
    if missing:
        hits.append(
            Hit(
                "profile-disclaimer",
                0,
                0,
                f"the bio is missing {' and '.join(missing)}",
                "Not monitored 24/7. In an emergency call 911. Non-emergency 416-808-2222.",
            )
        )
    if not LINK_BACK.search(bio) and not LINK_BACK.search(link):
        hits.append(
            Hit(
                "profile-link",
                0,
                0,
                "the profile does not link back to tps.ca",
                "add the unit's page on tps.ca as the profile's website",
            )
        )
    return hits


def check_review(review_due: dt.date, as_of: dt.date) -> list[Hit]:
    if review_due >= as_of:
        return []
    days = (as_of - review_due).days
    return [
        Hit(
            "review-overdue",
            0,
            0,
            f"the yearly profile review was due on {review_due.isoformat()} ({days} day{'s' if days != 1 else ''} ago)",
            "book a review with Corporate Communications",
        )
    ]
