"""Pelican side of the social feeds: cached items into the context, the
"all activity" river, and the local copies of the images shown.

The build reads feeds/cache/ only; it never touches the network (the refresh
is `invoke feeds`). An account without a cache file simply has no items.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from tps.core import clock
from tps.core.pages import write_page
from tps.core.templates import add_template_folder
from tps.units.directory import PLATFORM_NAMES

from .cache import load_all
from .normalise import SERVICE_ZONE
from .registry import feed_accounts
from .settings import feed_settings
from .signals import feed_states_ready
from .view import AccountState, ShownItem, build_view

ROOT = Path(__file__).resolve().parents[2]  # the project: feeds/cache is relative to it
ACTIVITY_URL = "social-media/activity/"
ACTIVITY_PER_PAGE = 20


@dataclass(frozen=True)
class _Paginator:
    num_pages: int


@dataclass(frozen=True)
class RiverPage:
    """One page of the activity river, shaped like Pelican's Page for the
    pagination component."""

    number: int
    paginator: _Paginator
    items: list[ShownItem]

    @property
    def url(self) -> str:
        return (
            ACTIVITY_URL if self.number == 1 else f"{ACTIVITY_URL}page/{self.number}/"
        )

    def has_other_pages(self) -> bool:
        return self.paginator.num_pages > 1


class SocialFeedsGenerator(Generator):
    def generate_context(self) -> None:
        options = feed_settings(self.settings, ROOT)
        self.now = clock.now()
        accounts = feed_accounts(
            Path(self.settings["PATH"]), self.context.get("UNITS_DIRECTORY")
        )
        feeds = load_all(options.cache_dir, [account.key for account in accounts])
        states = build_view(
            accounts,
            feeds,
            cache_dir=options.cache_dir,
            now=self.now,
            platform_names=PLATFORM_NAMES,
        )
        self.screening = _govern(self, self.settings, states, self.now)
        items = sorted(
            (item for state in states for item in state.items),
            key=lambda item: item.published,
            reverse=True,
        )
        videos = [item for item in items if item.is_video]
        latest_video = videos[0] if videos else None
        by_unit: dict[str, list[ShownItem]] = {}
        for item in pinned_first(items):
            by_unit.setdefault(item.account.unit, []).append(item)
        self.items = items
        self.context.update(
            SOCIAL_FEED_ITEMS=items,
            SOCIAL_FEED_LATEST_VIDEO=latest_video,
            SOCIAL_FEED_LATEST=pinned_first(
                [i for i in items if i is not latest_video]
            )[: options.home_latest_posts],
            SOCIAL_FEED_ITEMS_BY_UNIT=by_unit,
            SOCIAL_FEED_STATES={state.account.key: state for state in states},
            SOCIAL_FEED_STALE=[state for state in states if state.stale],
            SOCIAL_FEED_UNIT_LATEST=options.unit_latest_posts,
            # The day, not the moment: a page that read the build's time
            # would differ every build and never be reused (tps/incremental).
            SOCIAL_FEED_AS_OF=as_of(self.now),
            SOCIAL_FEED_ACTIVITY_URL=ACTIVITY_URL,
        )

    def generate_output(self, writer) -> None:
        self._copy_images()
        pages = max(1, math.ceil(len(self.items) / ACTIVITY_PER_PAGE))
        paginator = _Paginator(pages)
        river = [
            RiverPage(
                number,
                paginator,
                self.items[
                    (number - 1) * ACTIVITY_PER_PAGE : number * ACTIVITY_PER_PAGE
                ],
            )
            for number in range(1, pages + 1)
        ]
        for index, page in enumerate(river):
            write_page(
                self,
                writer,
                f"{page.url}index.html",
                "social-activity",
                river_page=page,
                river_previous=river[index - 1] if index > 0 else None,
                river_next=river[index + 1] if index + 1 < len(river) else None,
            )

    def _copy_images(self) -> None:
        """Copy the images of the items shown, and only those, into the site."""
        copied = set()
        for item in self.items:
            if item.image is None or item.image.url in copied:
                continue
            target = Path(self.output_path) / item.image.url
            copied.add(item.image.url)
            if target.exists():  # the preview writing where it built (named by URL)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item.image.source, target)


def _govern(generator, settings: dict, states: list[AccountState], now: dt.datetime):
    """Held and hidden items leave the states before any page is built from
    them, through the gate connected to feed_states_ready (governance's)."""
    answers = feed_states_ready.send(
        generator, settings=settings, states=states, now=now
    )
    if len(answers) != 1:
        raise ValueError(
            f"social_feeds needs exactly one moderation gate, found {len(answers)}: "
            'list "tps.governance" in PLUGINS'
        )
    return answers[0][1]


def as_of(now: dt.datetime) -> str:
    """ "December 2, 2026": the day the pages' "3 hours ago" are counted from."""
    local = now.astimezone(SERVICE_ZONE)
    return f"{local:%B} {local.day}, {local.year}"


def pinned_first(items: list[ShownItem]) -> list[ShownItem]:
    return [i for i in items if i.pinned] + [i for i in items if not i.pinned]


# The page templates this capability renders (tps/core/templates.py).
TEMPLATES = Path(__file__).resolve().parent / "templates"


def add_templates(pelican) -> None:
    add_template_folder(pelican.settings, TEMPLATES)


def get_generators(pelican):
    return SocialFeedsGenerator


def register() -> None:
    signals.initialized.connect(add_templates)
    signals.get_generators.connect(get_generators)


__all__ = ["AccountState", "RiverPage", "SocialFeedsGenerator", "register"]
