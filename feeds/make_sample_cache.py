"""Make the committed sample feeds and the sample cache built from them.

    .venv/bin/python feeds/make_sample_cache.py

For every account with a `feed` in content/units/*.yaml this writes a real feed
document in that platform's format to feeds/samples/<platform>/<handle>.<ext>
(YouTube channel Atom with media:group, Mastodon RSS with media:content,
Bluesky RSS without titles, Flickr Atom with photo enclosures, the service's
X/Facebook bridge Atom, and JSON Feed 1.1 for the Instagram bridge), runs it
through `parse_feed` (the code path of a real refresh), draws a small
illustrative JPEG for the items that have a picture and stores it the way the
refresh does (`feeds/cache/media/<sha256 of the image URL>.jpg`), then writes
the cache files. Everything is fictional. Output is deterministic: running it
again rewrites the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

from tps.social_feeds import cache
from tps.social_feeds.media import media_name
from tps.social_feeds.models import CachedFeed
from tps.social_feeds.parse import derive_title, parse_feed
from tps.social_feeds.registry import FeedAccount, feed_accounts
from tps.units import load_directory

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "feeds" / "cache"
SAMPLES = ROOT / "feeds" / "samples"
# The last (sample) refresh: 03:00 in Toronto on November 25, 2026.
REFRESHED = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
TORONTO = ZoneInfo("America/Toronto")
WINDOW = dt.timedelta(days=90)

DISCLAIMER = "Not monitored 24/7. In an emergency call 911."
# Accounts the governance checks and the stale badge need (see the brief).
STALE = {
    "x:TPS31Div": ("HTTP 503 Service Unavailable (after 3 attempts)", 503, 2),
    "bluesky:tps41div.bsky.social": (
        "timed out waiting for data (10 s) (after 3 attempts)",
        None,
        1,
    ),
    "facebook:TPS43Division": (
        "an HTML page, not a feed (content type text/html)",
        200,
        4,
    ),
}
DORMANT = "mastodon:TPSFrenchCCC"  # newest post well over 45 days old
NO_DISCLAIMER = "mastodon:PCBenjaminFischer"


@dataclass
class Post:
    text: str
    title: str | None = None  # platforms without titles leave it None
    motif: str | None = None  # draw a picture for this post
    alt: str = ""
    published: dt.datetime = REFRESHED
    ident: str = ""
    link: str = ""
    image_url: str | None = None


@dataclass
class Voice:
    """Who is posting: fills the placeholders of the post templates."""

    account: FeedAccount
    hoods: list[str]
    phone: str
    kind: str
    extra: dict = field(default_factory=dict)

    def fill(self, template: str) -> str:
        hoods = [*self.hoods, "the neighbourhood", "your neighbourhood"]
        return template.format(
            unit=self.account.unit_name,
            hood=hoods[0],
            hood2=hoods[1 % len(hoods)],
            phone=self.phone,
            **self.extra,
        )


# --- what the accounts post ---------------------------------------------------
# (title or None, text, motif or None). Placeholders: {unit} {hood} {hood2} {phone}.

DIVISION = [
    (
        "Community BBQ this Saturday",
        "Join officers from {unit} at our community BBQ this Saturday, 12 to 3 p.m., at the park beside the division. Meet your neighbourhood officers, tour a cruiser and bring the kids for face painting.",
        "people",
    ),
    (
        "Witnesses sought: collision",
        "We are looking for witnesses to a collision involving a cyclist in {hood} on Tuesday at about 6:45 p.m. If you saw it or have dashcam video, call {unit} at {phone} or Crime Stoppers anonymously at 416-222-TIPS (8477).",
        "road",
    ),
    (
        "Missing man located",
        "UPDATE: The 78-year-old man reported missing from the {hood} area has been located, safe and well. Thank you to everyone who shared our appeal.",
        None,
    ),
    (
        "Back to school: slow down",
        "School is back. Expect officers in school zones across {hood} and {hood2} all week. Slow down, put the phone away and watch for kids crossing.",
        "school",
    ),
    (
        "Break-ins to parked cars",
        "We have had a rise in thefts from vehicles in {hood2} overnight. Lock your doors, take valuables with you and park in lit areas. Report any theft online or at {phone}.",
        None,
    ),
    (
        "Halloween safety",
        "Trick-or-treating tonight? Walk on sidewalks, wear something bright or carry a light, and drivers, please slow right down in residential streets. Have a safe and happy Halloween from {unit}!",
        "leaf",
    ),
    (
        "Freezing rain overnight",
        "Environment Canada has issued a freezing rain warning for Toronto. Leave extra time in the morning, clear all your windows and lights, and slow down on bridges and ramps.",
        "snow",
    ),
    (
        "Remembrance Day",
        "Today at 11 a.m. members of {unit} paused to remember those who served. Lest we forget.",
        "poppy",
    ),
    (
        "Fraud alert: gift cards",
        "Nobody from the Toronto Police Service will ever ask you to pay a fine in gift cards or cryptocurrency. If a caller says otherwise, hang up and call {phone}.",
        None,
    ),
    (
        "Coffee with a Cop",
        "Coffee with a Cop is back on Thursday from 8 to 10 a.m. at the community centre in {hood}. No speeches, no agenda: just coffee and your questions.",
        "people",
    ),
    (
        "Porch pirates",
        "Parcel thefts climb every November. Have deliveries sent to a pickup point or your workplace, and ask a neighbour to take in packages while you are away.",
        None,
    ),
    (
        "Bike registered? Get it back",
        "Register your bike's serial number with us for free. Last month we returned 14 recovered bikes in {hood} to owners who had registered them.",
        "bike",
    ),
    (
        "Arrest made in robbery",
        "An arrest has been made in last week's robbery of a convenience store in {hood2}. Thank you to the witnesses who came forward. The accused appears in court this morning.",
        None,
    ),
    (
        "Toy drive starts",
        "Our annual holiday toy drive has started. Drop off new, unwrapped toys at the front desk of {unit}, any time, until December 15.",
        "people",
    ),
    (
        "Road closure for the parade",
        "The Santa Claus Parade is on Sunday. Expect road closures from 8 a.m. to 4 p.m. along the route and plan for extra transit time.",
        "parade",
    ),
    (
        "Winter tires reminder",
        "Cold mornings are here. Now is the time for winter tires and a winter kit in the trunk: scraper, brush, blanket, booster cables.",
        "snow",
    ),
    (
        "Community meeting",
        "Our Community Police Liaison Committee meets Wednesday at 7 p.m. Everyone who lives or works in {hood} is welcome. Bring your neighbourhood concerns.",
        "people",
    ),
    (
        "Thank you, volunteers",
        "A big thank you to the CPLC volunteers who helped at the {hood} fall festival. More than 600 neighbours came by our booth.",
        "people",
    ),
]

TRAFFIC = [
    (
        "Festive RIDE is on",
        "The Festive RIDE campaign starts today. Expect check stops across the city, day and night. Plan a safe ride home: impaired is never worth it.",
        "car",
    ),
    (
        "Look up, lights on",
        "The days are getting shorter and most pedestrian deaths happen in the dark. Drivers: slow down at intersections. Pedestrians: cross at lights and make eye contact.",
        "road",
    ),
    (
        "Distracted driving blitz",
        "This week's distracted driving blitz: 412 charges laid. A phone in your hand while driving costs $615 and three demerit points.",
        "car",
    ),
    (
        "Collision reporting centres",
        "A collision with no injuries and damage under $2,000? Report it at a Collision Reporting Centre within 24 hours, not on scene.",
        None,
    ),
    (
        "School zone enforcement",
        "Back to school means back to school zone enforcement. Fines double in community safety zones. Slow down.",
        "school",
    ),
    (
        "Winter driving",
        "First snow this week. Clear the snow off your whole vehicle, not just a peephole in the windshield. Leave extra room to stop.",
        "snow",
    ),
    (
        "Motorcycle season wrap",
        "Motorcycle season is winding down. Thank you to every rider who rode sober and visible this year.",
        None,
    ),
    (
        "Speed on the Gardiner",
        "Officers clocked a driver at 168 km/h on the Gardiner Expressway overnight. The driver's licence was suspended on the spot and the car impounded for 14 days.",
        "road",
    ),
    (
        "Vision Zero data",
        "Fewer pedestrians were seriously injured in the city this fall than last year. Every one of those numbers is a neighbour: keep slowing down.",
        None,
    ),
    (
        "Cyclists: be seen",
        "Cyclists, a white front light and a red rear light are required after dark. Free lights at our booth at the bike hub on Saturday.",
        "bike",
    ),
]

CCC = [
    (
        "Monthly meeting",
        "The {unit} meets Thursday at 7 p.m. at Police Headquarters, 40 College Street. Members of the community are welcome to attend.",
        "people",
    ),
    (
        "Scholarship applications open",
        "Applications are open for this year's community scholarships. Students in grade 12 who volunteer in their community can apply until December 1.",
        None,
    ),
    (
        "Thank you for coming",
        "Thank you to everyone who joined our community town hall last night. Your questions will shape our priorities for the new year.",
        "people",
    ),
    (
        "Recruiting information session",
        "Thinking about a career in policing? Join our recruiting information session on Saturday. Officers will talk about the application process and answer your questions.",
        "badge",
    ),
    (
        "Youth basketball night",
        "Youth basketball night is back on Fridays: officers and young people on the same court. Free, all skill levels welcome.",
        "people",
    ),
    (
        "Fraud prevention for seniors",
        "Free fraud prevention workshop for seniors, with interpretation available. Learn the common scams and how to check a caller is real.",
        None,
    ),
    (
        "Community safety survey",
        "Tell us what matters most to you about safety in your neighbourhood. The survey takes five minutes and is open until the end of the month.",
        None,
    ),
]

CCC_EXTRA = {
    "aboriginal-ccc": [
        (
            "Orange Shirt Day",
            "Today, on the National Day for Truth and Reconciliation, we wear orange to honour the children who never came home and the survivors of residential schools.",
            None,
        )
    ],
    "asia-pacific-ccc": [
        (
            "Mid-Autumn Festival",
            "Happy Mid-Autumn Festival! Thank you to everyone who visited our booth and shared mooncakes with officers.",
            "people",
        )
    ],
    "chinese-ccc": [
        (
            "Scam targeting students",
            "Warning: callers pretending to be consulate officials are targeting international students. Hang up and call police.",
            None,
        )
    ],
    "south-and-west-asian-ccc": [
        (
            "Happy Diwali",
            "Wishing everyone celebrating a happy and safe Diwali. Please take care with candles and fireworks.",
            None,
        )
    ],
    "french-ccc": [
        (
            "Réunion mensuelle",
            "Our monthly meeting is bilingual: join us Thursday evening. Notre réunion mensuelle est bilingue : joignez-vous à nous jeudi soir.",
            None,
        )
    ],
    "lgbtq-ccc": [
        (
            "Trans Day of Remembrance",
            "On Trans Day of Remembrance we remember the lives lost to anti-trans violence, and we commit to doing better.",
            None,
        )
    ],
    "muslim-ccc": [
        (
            "Safety at places of worship",
            "Free safety planning sessions for places of worship, with our Hate Crime Unit. Contact us to book one for your congregation.",
            None,
        )
    ],
    "black-ccc": [
        (
            "Youth mentorship",
            "Our youth mentorship program pairs young people with mentors from the community and the Service. Applications are open.",
            "people",
        )
    ],
}

YOUTH = [
    (
        None,
        "Our youth advisory members spent Saturday painting the mural at the community hub. So proud of this crew!",
        "people",
    ),
    (
        None,
        "Applications for next year's Chief's Youth Advisory Committee are open. Ages 15 to 24, from every part of the city.",
        "badge",
    ),
    (
        None,
        "Youth town hall recap: mental health, transit safety and online scams were your top three topics.",
        None,
    ),
    (
        None,
        "Basketball with officers on Friday night. Free, all welcome, shoes required.",
        None,
    ),
    (
        None,
        "Thank you to the 40 young people who joined our career day at headquarters.",
        None,
    ),
]

VIDEOS = [
    (
        "Winter driving: five things to check before the first snow",
        "Tires, wipers, lights, a winter kit and a full tank: a traffic officer walks through a winter check in five minutes.",
        "snow",
    ),
    (
        "What happens at a RIDE check stop",
        "What to expect when you are stopped at a RIDE check, why we do it, and how long it takes.",
        "car",
    ),
    (
        "Meet your neighbourhood officers",
        "Our neighbourhood community officers on why they walk the same streets every day.",
        "people",
    ),
    (
        "How to report a collision online",
        "For collisions with no injuries: how to report online or at a Collision Reporting Centre, step by step.",
        "road",
    ),
    (
        "Pedestrian safety as the days get shorter",
        "Most pedestrian collisions happen in the dark. Tips for drivers and for people on foot.",
        "road",
    ),
    (
        "Behind the scenes: a day with the Marine Unit",
        "From dawn patrol to a rescue drill: the last week of the season on Lake Ontario.",
        "boat",
    ),
    (
        "Youth in Policing: summer wrap-up",
        "Students from across the city on what they learned in this summer's Youth in Policing program.",
        "people",
    ),
    (
        "Cyclist safety: the one-metre rule",
        "Passing a cyclist? Give at least one metre. A short explainer from the bike patrol.",
        "bike",
    ),
]

PHOTOS = [
    (
        "Santa Claus Parade 2026",
        "Officers and volunteers along the parade route on Sunday.",
        "parade",
    ),
    (
        "Remembrance Day ceremony",
        "Members at the division's Remembrance Day ceremony.",
        "poppy",
    ),
    (
        "Bike rodeo in the park",
        "Kids learning hand signals at our fall bike rodeo.",
        "bike",
    ),
    ("Fall festival booth", "Our booth at the neighbourhood fall festival.", "people"),
    ("New traffic cruisers", "Two new hybrid cruisers join the traffic fleet.", "car"),
    (
        "Cops and Kids skating",
        "The first skate of the season at the community rink.",
        "snow",
    ),
]

# Member accounts post in their own voice; the governance checks read these.
MEMBERS = {
    "x:PCMarcusBell": [
        (
            "Reminder: you will recieve a ticket in the mail if the camera catches you speeding in a school zone on Lake Shore. Slow down, it is not worth it.",
            None,
        ),
        (
            "Lane closures on Lake Shore Blvd W this week mean seperate lanes for cyclists near Mimico. Please share the road and give riders a metre.",
            "road",
        ),
        (
            "Great chat with the students at the high school in New Toronto about their first cars. Good questions!",
            None,
        ),
        (
            "Foggy morning in the west end. Low beams, not high beams, and slow down.",
            None,
        ),
        (
            "Found a lost dog near the Humber Bay bridge this morning; he is home now thanks to his tag. Tag your pets!",
            None,
        ),
    ],
    "x:PCGraceAdeyemi": [
        (
            "Great turnout at the Cops & Kids skating night. Definately doing this again in January!",
            "snow",
        ),
        (
            "Walking the beat in Kensington Market today. Thanks to the shop owners who stopped to say hello.",
            None,
        ),
        (
            "Student safety walk on campus tonight with the university's community safety team.",
            None,
        ),
        (
            "Reminder to lock your bikes with a U-lock through the frame, not just the wheel.",
            "bike",
        ),
    ],
    "x:PCConnorMacDonald": [
        (
            "Damn, that wind off the lake was cold at this morning's RIDE check on Queen St E. Thank you to every driver who had a plan to get home safe.",
            "car",
        ),
        (
            "Beach clean-up at Woodbine Beach on Saturday with the CPLC. Gloves and bags provided.",
            None,
        ),
        (
            "Saw a lot of drivers rolling through the stop at Kingston Rd and Victoria Park today. Full stop, every time.",
            None,
        ),
        (
            "Proud to help out at the Beaches food bank drive. The neighbourhood came through again.",
            "people",
        ),
    ],
    "bluesky:pcravimoreno.bsky.social": [
        (
            "Motorcycle safety day at the Exhibition grounds was a hit. Thanks to all the riders who came out.",
            None,
        ),
        (
            "Reminder: a hand-held phone while driving is $615 and 3 demerits. Just put it in the glovebox.",
            None,
        ),
        (
            "Night shift on the Gardiner. Slow down in the construction zone, there are crews working.",
            None,
        ),
        (
            "Teaching the bike safety course at the community centre this weekend. Helmets provided.",
            None,
        ),
    ],
    "mastodon:PCBenjaminFischer": [
        (
            "Cycled to work in the first snow. Winter tires on bikes are a thing, and they are wonderful.",
            "bike",
        ),
        (
            "Our pedestrian safety blitz at Yonge and Eglinton found most drivers doing the right thing. Thank you.",
            None,
        ),
        (
            "Reminder: bike lanes are not loading zones. Please use the side streets.",
            None,
        ),
        (
            "If you see a collision, pull over somewhere safe before you call. Your safety first.",
            None,
        ),
    ],
    "youtube:SgtHelenKowalski": [
        (
            "Sergeant's corner: why we do RIDE checks in daylight too",
            "A short talk on impaired driving in the afternoon, and what our numbers show.",
            "car",
        ),
        (
            "Sergeant's corner: the left turn",
            "Most intersection collisions involve a left turn. How to make yours safe.",
            "road",
        ),
        (
            "Sergeant's corner: winter tires, myth and fact",
            "Do winter tires really help? What the research shows, in three minutes.",
            "snow",
        ),
    ],
}
# Specific posts the governance checks look for, added to unit accounts.
EXTRA_POSTS = {
    "x:TPS31Div": [
        (
            "Collision witnesses",
            "The collision occured at Jane St and Finch Ave W at about 6:40 p.m. on Friday. Witnesses, please call 31 Division at 416-808-3100.",
            "road",
        )
    ],
    "facebook:TPS32Division": [
        (
            "Keys found",
            "Found: a set of keys on a blue lanyard near Yonge and Lawrence. Are they yours? Please call Sarah at 647-555-0143, she is holding them at her store.",
            None,
        )
    ],
}


# --- pictures -------------------------------------------------------------------

PALETTE = {
    "people": ((28, 94, 140), (242, 193, 78)),
    "road": ((52, 58, 66), (242, 193, 78)),
    "school": ((191, 120, 24), (255, 255, 255)),
    "leaf": ((150, 62, 24), (242, 162, 54)),
    "snow": ((44, 96, 150), (235, 244, 252)),
    "poppy": ((36, 40, 48), (200, 30, 40)),
    "bike": ((24, 120, 96), (255, 255, 255)),
    "parade": ((150, 24, 48), (255, 226, 120)),
    "car": ((15, 43, 76), (255, 255, 255)),
    "badge": ((15, 43, 76), (242, 193, 78)),
    "boat": ((18, 82, 130), (255, 255, 255)),
}


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def draw_card(motif: str, unit: str, caption: str) -> bytes:
    """A 640×360 illustrative card: a flat motif, the unit and a caption."""
    background, accent = PALETTE[motif]
    image = Image.new("RGB", (640, 360), background)
    # The motif is drawn at full size, then fitted between the header and the
    # caption band.
    layer = Image.new("RGB", (640, 360), background)
    _MOTIFS[motif](ImageDraw.Draw(layer), accent)
    image.paste(layer.crop((0, 50, 640, 310)).resize((480, 195)), (80, 50))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 40), fill=(9, 28, 51))
    draw.rectangle((0, 40, 640, 44), fill=(242, 193, 78))
    header = textwrap.shorten(f"Toronto Police Service · {unit}", 56, placeholder="…")
    draw.text((20, 9), header, font=_font(20), fill="white")
    lines = textwrap.wrap(textwrap.shorten(caption, 66, placeholder="…"), 34)[:2]
    y = 360 - 22 - 36 * len(lines)
    draw.rectangle((0, y - 12, 640, 360), fill=(9, 28, 51))
    for line in lines:
        draw.text((20, y), line, font=_font(30), fill="white")
        y += 36
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70, optimize=True, progressive=True)
    return out.getvalue()


def _people(draw, c):
    for i, x in enumerate(range(150, 560, 90)):
        top = 110 + (i % 2) * 14
        draw.ellipse((x - 24, top, x + 24, top + 48), fill=c)
        draw.rounded_rectangle((x - 38, top + 56, x + 38, top + 160), 30, fill=c)


def _road(draw, c):
    draw.polygon([(250, 50), (390, 50), (620, 360), (20, 360)], fill=(90, 96, 104))
    for y in range(60, 300, 50):
        w = 3 + (y - 50) // 30
        draw.rectangle((320 - w, y, 320 + w, y + 26), fill=c)


def _school(draw, c):
    draw.rectangle((200, 130, 440, 280), fill=c)
    draw.polygon([(180, 130), (320, 70), (460, 130)], fill=(240, 240, 240))
    draw.rectangle((300, 200, 340, 280), fill=(120, 70, 20))
    for x in (225, 375):
        draw.rectangle((x, 160, x + 40, 190), fill=(44, 96, 150))


def _leaf(draw, c):
    for x, y in ((140, 120), (330, 170), (500, 110), (240, 230)):
        draw.ellipse((x - 50, y - 30, x + 50, y + 30), fill=c)
        draw.line((x - 50, y, x + 60, y), fill=(90, 40, 10), width=4)


def _snow(draw, c):
    for x, y in ((120, 130), (320, 170), (520, 120), (220, 250), (440, 250)):
        for dx, dy in ((0, 40), (35, 20), (35, -20)):
            draw.line((x - dx, y - dy, x + dx, y + dy), fill=c, width=6)


def _poppy(draw, c):
    for x, y, r in ((320, 170, 80), (170, 200, 45), (470, 200, 45)):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=c)
        draw.ellipse(
            (x - r // 4, y - r // 4, x + r // 4, y + r // 4), fill=(20, 20, 20)
        )


def _bike(draw, c):
    for x in (210, 430):
        draw.ellipse((x - 70, 150, x + 70, 290), outline=c, width=10)
    draw.line((210, 220, 300, 150, 400, 150, 430, 220), fill=c, width=10)
    draw.line((300, 150, 320, 220, 210, 220), fill=c, width=10)


def _parade(draw, c):
    for i, x in enumerate(range(90, 600, 85)):
        y = 110 + (i % 3) * 25
        draw.ellipse((x - 30, y, x + 30, y + 70), fill=c if i % 2 else (255, 255, 255))
        draw.line((x, y + 70, x, y + 150), fill=(255, 255, 255), width=2)


def _car(draw, c):
    draw.rounded_rectangle((140, 170, 500, 260), 30, fill=c)
    draw.polygon([(220, 170), (270, 115), (390, 115), (440, 170)], fill=c)
    draw.rectangle((290, 95, 350, 112), fill=(200, 30, 40))
    for x in (220, 420):
        draw.ellipse((x - 35, 230, x + 35, 300), fill=(20, 20, 20))


def _badge(draw, c):
    draw.polygon(
        [(320, 70), (430, 110), (410, 230), (320, 290), (230, 230), (210, 110)], fill=c
    )
    draw.ellipse((280, 140, 360, 220), fill=(15, 43, 76))


def _boat(draw, c):
    draw.polygon([(150, 220), (490, 220), (440, 280), (200, 280)], fill=c)
    draw.rectangle((280, 150, 380, 220), fill=c)
    for y in (300, 325):
        draw.line((40, y, 600, y), fill=(120, 180, 220), width=5)


_MOTIFS = {
    "people": _people,
    "road": _road,
    "school": _school,
    "leaf": _leaf,
    "snow": _snow,
    "poppy": _poppy,
    "bike": _bike,
    "parade": _parade,
    "car": _car,
    "badge": _badge,
    "boat": _boat,
}


# --- posts per account --------------------------------------------------------


def posts_for(voice: Voice, rng: random.Random) -> list[Post]:
    key, platform = voice.account.key, voice.account.platform
    if key in MEMBERS:
        if platform == "youtube":
            pool = [Post(text, title, motif) for title, text, motif in MEMBERS[key]]
        else:
            pool = [Post(text, None, motif) for text, motif in MEMBERS[key]]
    elif platform == "youtube":
        pool = [
            Post(text, title, motif) for title, text, motif in rng.sample(VIDEOS, 4)
        ]
    elif platform == "flickr":
        pool = [
            Post(text, title, motif) for title, text, motif in rng.sample(PHOTOS, 3)
        ]
    elif voice.kind == "unit":
        pool = [Post(voice.fill(t), title, m) for title, t, m in TRAFFIC]
    elif voice.account.unit == "chiefs-youth-advisory-committee":
        pool = [Post(t, title, m) for title, t, m in YOUTH]
    elif voice.kind == "community-consultative-group":
        extra = CCC_EXTRA.get(voice.account.unit, [])
        pool = [Post(voice.fill(t), title, m) for title, t, m in [*extra, *CCC]]
    else:
        pool = [Post(voice.fill(t), title, m) for title, t, m in DIVISION]
    if platform not in {"youtube", "flickr"} and key not in MEMBERS:
        rng.shuffle(pool)
        pool = pool[: rng.randint(4, 9)]
    pool += [Post(t, title, m) for title, t, m in EXTRA_POSTS.get(key, [])]
    return pool


def with_pictures(posts: list[Post], account: FeedAccount, budget: list[int]) -> None:
    """Only some platforms carry pictures; keep to the overall image budget."""
    every = account.platform in {"youtube", "flickr"}
    some = account.platform in {"mastodon", "facebook", "instagram"}
    shown = 0
    for post in posts:
        keep = post.motif and (every or (some and shown < 1)) and budget[0] > 0
        if keep:
            shown += 1
            budget[0] -= 1
        else:
            post.motif = None


# Posts tied to a day of the year go out on that day (title, or start of text).
SEASONAL = {
    "Back to school": dt.date(2026, 9, 8),
    "School zone enforcement": dt.date(2026, 9, 8),
    "Youth in Policing": dt.date(2026, 9, 2),
    "Motorcycle safety day": dt.date(2026, 9, 5),
    "Bike rodeo": dt.date(2026, 9, 19),
    "Mid-Autumn Festival": dt.date(2026, 9, 26),
    "Orange Shirt Day": dt.date(2026, 9, 30),
    "Fall festival": dt.date(2026, 10, 3),
    "Thank you, volunteers": dt.date(2026, 10, 4),
    "Behind the scenes": dt.date(2026, 10, 6),
    "Motorcycle season": dt.date(2026, 10, 20),
    "Halloween": dt.date(2026, 10, 31),
    "Happy Diwali": dt.date(2026, 11, 8),
    "Winter driving: five things": dt.date(2026, 11, 10),
    "Remembrance Day": dt.date(2026, 11, 11),
    "Winter tires": dt.date(2026, 11, 12),
    "Toy drive": dt.date(2026, 11, 16),
    "Winter driving": dt.date(2026, 11, 17),
    "Freezing rain": dt.date(2026, 11, 18),
    "Cycled to work in the first snow": dt.date(2026, 11, 18),
    "Festive RIDE": dt.date(2026, 11, 20),
    "Trans Day of Remembrance": dt.date(2026, 11, 20),
    "Road closure for the parade": dt.date(2026, 11, 20),
    "Cops and Kids skating": dt.date(2026, 11, 21),
    "Great turnout at the Cops & Kids": dt.date(2026, 11, 22),
    "Santa Claus Parade": dt.date(2026, 11, 22),
}


def seasonal_day(post: Post) -> dt.date | None:
    for start, day in SEASONAL.items():
        if (post.title or post.text).startswith(start):
            return day
    return None


def dates_for(posts: list[Post], key: str, rng: random.Random) -> None:
    """Spread over the 90 days before the refresh, the newest recent (or not)."""
    newest = REFRESHED - dt.timedelta(minutes=rng.randint(20, 60 * 40))
    if newest.astimezone(TORONTO).hour < 7:  # most posts go out in the day
        newest -= dt.timedelta(hours=7)
    if key in STALE:
        newest = REFRESHED - dt.timedelta(days=STALE[key][2], hours=rng.randint(2, 9))
    if key == DORMANT:
        newest = REFRESHED - dt.timedelta(days=58, hours=5)
    oldest = REFRESHED - WINDOW
    # The picked posts in a plausible order: the special ones stay recent.
    span = (newest - oldest).total_seconds()
    offsets = sorted((rng.random() ** 1.6) * span for _ in posts[1:])
    times = [newest] + [newest - dt.timedelta(seconds=o) for o in offsets]
    times[-1:] = [max(times[-1], oldest)]
    special = EXTRA_POSTS.get(key, [])
    if special:  # a post the governance checks look for: make it a recent one
        posts.insert(0, posts.pop())
    for post, when in zip(posts, times, strict=True):
        # Local times on the minute, in working hours mostly.
        local = when.astimezone(TORONTO).replace(second=0, microsecond=0)
        if local.hour < 7 and local + dt.timedelta(hours=8) < newest:
            local += dt.timedelta(hours=8)
        day = seasonal_day(post)
        if day is not None:
            on_the_day = dt.datetime.combine(
                day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), TORONTO
            )
            if on_the_day <= newest:
                local = on_the_day
        post.published = local


def ids_for(post: Post, account: FeedAccount, rng: random.Random) -> None:
    handle = account.handle
    number = str(rng.randrange(10**17, 10**18))
    platform = account.platform
    if platform == "x":
        post.ident = post.link = f"https://x.com/{handle}/status/1{number}"
    elif platform == "facebook":
        post.ident = post.link = (
            f"https://www.facebook.com/{handle}/posts/{number[:16]}"
        )
    elif platform == "instagram":
        code = hashlib.sha256(number.encode()).hexdigest()[:11]
        post.ident = post.link = f"https://www.instagram.com/p/{code}/"
    elif platform == "mastodon":
        post.ident = post.link = f"https://mastodon.social/@{handle}/{number[:18]}"
    elif platform == "bluesky":
        rkey = hashlib.sha256(number.encode()).hexdigest()[:13]
        post.link = f"https://bsky.app/profile/{handle}/post/{rkey}"
        did = hashlib.sha256(handle.encode()).hexdigest()[:24]
        post.ident = f"at://did:plc:{did}/app.bsky.feed.post/{rkey}"
    elif platform == "youtube":
        video = hashlib.sha256(number.encode()).hexdigest()[:11]
        post.ident = f"yt:video:{video}"
        post.link = f"https://www.youtube.com/watch?v={video}"
        post.image_url = f"https://i1.ytimg.com/vi/{video}/hqdefault.jpg"
    elif platform == "flickr":
        photo = number[:11]
        post.ident = f"tag:flickr.com,2005:/photo/{photo}"
        post.link = f"https://www.flickr.com/photos/{handle}/{photo}/"
        secret = hashlib.sha256(number.encode()).hexdigest()[:10]
        post.image_url = f"https://live.staticflickr.com/65535/{photo}_{secret}_b.jpg"
    if post.motif and post.image_url is None:
        digest = hashlib.sha256(post.ident.encode()).hexdigest()
        host = {
            "mastodon": "https://files.mastodon.social/media_attachments/files/",
            "facebook": "https://scontent.xx.fbcdn.net/v/t39.30808-6/",
            "instagram": "https://scontent.cdninstagram.com/v/t51.29350-15/",
        }[platform]
        post.image_url = f"{host}{digest[:24]}.jpg"
    if post.motif and not post.alt and platform != "youtube":
        post.alt = ALT[post.motif]


ALT = {
    "people": "Uniformed officers chatting with neighbours at an outdoor community event.",
    "road": "A city street at dusk with traffic lights and a marked crosswalk.",
    "school": "A school crossing with a crossing guard holding a stop sign.",
    "leaf": "Autumn leaves on a residential sidewalk.",
    "snow": "Snow falling on a Toronto street.",
    "poppy": "Red poppies on a wreath at a Remembrance Day ceremony.",
    "bike": "A bicycle locked to a post beside a bike lane.",
    "parade": "Balloons and spectators along a parade route.",
    "car": "A Toronto Police cruiser parked at a check stop.",
    "badge": "The Toronto Police Service badge.",
    "boat": "A police marine unit boat on Lake Ontario.",
}


# --- feed documents -----------------------------------------------------------


def _rfc822(value: dt.datetime) -> str:
    return value.strftime("%a, %d %b %Y %H:%M:%S %z")


def _title(post: Post) -> str:
    return post.title or textwrap.shorten(post.text, 90, placeholder="…")


def atom_bridge(account: FeedAccount, profile: dict, posts: list[Post]) -> bytes:
    """The service's bridge for platforms without feeds (X, Facebook): Atom."""
    entries = []
    for post in posts:
        media = ""
        if post.image_url:
            media = (
                f'<media:content url={quoteattr(post.image_url)} medium="image" type="image/jpeg">'
                f'<media:description type="plain">{escape(post.alt)}</media:description></media:content>'
            )
        entries.append(
            f"""  <entry>
    <id>{escape(post.ident)}</id>
    <title type="text">{escape(_title(post))}</title>
    <link rel="alternate" type="text/html" href={quoteattr(post.link)}/>
    <published>{post.published.isoformat()}</published>
    <updated>{post.published.isoformat()}</updated>
    <author><name>{escape(profile["display_name"])}</name></author>
    <content type="html">{escape("<p>" + escape(post.text) + "</p>")}</content>
    {media}
  </entry>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
  <id>{escape(account.feed)}</id>
  <title>{escape(profile["display_name"])}</title>
  <subtitle>{escape(profile["bio"])}</subtitle>
  <link rel="alternate" type="text/html" href={quoteattr(account.url)}/>
  <link rel="self" href={quoteattr(account.feed)}/>
  <generator uri="https://feeds.tps.ca/bridge/">TPS feed bridge 2.3</generator>
  <updated>{posts[0].published.isoformat()}</updated>
{chr(10).join(entries)}
</feed>
""".encode()


def youtube_atom(account: FeedAccount, profile: dict, posts: list[Post]) -> bytes:
    channel = account.feed.rsplit("=", 1)[-1]
    entries = []
    for post in posts:
        video = post.link.rsplit("=", 1)[-1]
        entries.append(
            f"""  <entry>
    <id>{post.ident}</id>
    <yt:videoId>{video}</yt:videoId>
    <yt:channelId>{channel}</yt:channelId>
    <title>{escape(post.title or "")}</title>
    <link rel="alternate" href={quoteattr(post.link)}/>
    <author><name>{escape(profile["display_name"])}</name><uri>https://www.youtube.com/channel/{channel}</uri></author>
    <published>{post.published.isoformat()}</published>
    <updated>{post.published.isoformat()}</updated>
    <media:group>
      <media:title>{escape(post.title or "")}</media:title>
      <media:content url="https://www.youtube.com/v/{video}?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
      <media:thumbnail url={quoteattr(post.image_url or "")} width="480" height="360"/>
      <media:description>{escape(post.text)}</media:description>
      <media:community><media:starRating count="{len(post.text)}" average="5.00" min="1" max="5"/><media:statistics views="{len(post.text) * 37}"/></media:community>
    </media:group>
  </entry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href={quoteattr(account.feed)}/>
 <id>yt:channel:{channel}</id>
 <yt:channelId>{channel}</yt:channelId>
 <title>{escape(profile["display_name"])}</title>
 <link rel="alternate" href={quoteattr(account.url)}/>
 <author><name>{escape(profile["display_name"])}</name><uri>{escape(account.url)}</uri></author>
 <published>2014-03-02T15:20:11+00:00</published>
{chr(10).join(entries)}
</feed>
""".encode()


def mastodon_rss(account: FeedAccount, profile: dict, posts: list[Post]) -> bytes:
    items = []
    for post in posts:
        media = ""
        if post.image_url:
            media = (
                f'<media:content url={quoteattr(post.image_url)} type="image/jpeg" fileSize="48213" medium="image">'
                f'<media:rating scheme="urn:simple">nonadult</media:rating>'
                f'<media:description type="plain">{escape(post.alt)}</media:description></media:content>'
            )
        items.append(
            f"""    <item>
      <guid isPermaLink="true">{escape(post.ident)}</guid>
      <link>{escape(post.link)}</link>
      <pubDate>{_rfc822(post.published)}</pubDate>
      <description>{escape("<p>" + escape(post.text) + "</p>")}</description>
      {media}
    </item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:webfeeds="http://webfeeds.org/rss/1.0" xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>{escape(profile["display_name"])}</title>
    <description>{escape(profile["bio"])}</description>
    <link>{escape(account.url)}</link>
    <image><url>https://files.mastodon.social/accounts/avatars/{hashlib.sha256(account.handle.encode()).hexdigest()[:18]}.png</url><title>{escape(profile["display_name"])}</title><link>{escape(account.url)}</link></image>
    <lastBuildDate>{_rfc822(posts[0].published)}</lastBuildDate>
    <generator>Mastodon v4.5.2</generator>
{chr(10).join(items)}
  </channel>
</rss>
""".encode()


def bluesky_rss(account: FeedAccount, profile: dict, posts: list[Post]) -> bytes:
    items = [
        f"""<item><link>{escape(post.link)}</link><description>{escape(post.text)}</description><pubDate>{_rfc822(post.published.astimezone(dt.UTC)).replace("+0000", "GMT")}</pubDate><guid isPermaLink="false">{escape(post.ident)}</guid></item>"""
        for post in posts
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<description>{escape(profile['bio'])}</description>"
        f"<link>{escape(account.url)}</link>"
        f"<title>@{escape(account.handle)} - {escape(profile['display_name'])}</title>"
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


def flickr_atom(account: FeedAccount, profile: dict, posts: list[Post]) -> bytes:
    entries = []
    for post in posts:
        html = (
            f'<p><a href="https://www.flickr.com/people/{account.handle}/">{escape(profile["display_name"])}</a> posted a photo:</p>'
            f'<p><a href="{post.link}" title="{escape(post.title or "")}"><img src="{post.image_url}" width="240" height="135" alt="{escape(post.title or "")}" /></a></p>'
            f"<p>{escape(post.text)}</p>"
        )
        entries.append(
            f"""<entry>
  <title>{escape(post.title or "")}</title>
  <link rel="alternate" type="text/html" href={quoteattr(post.link)}/>
  <id>{escape(post.ident)}</id>
  <published>{post.published.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}</published>
  <updated>{post.published.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}</updated>
  <flickr:date_taken>{post.published.strftime("%Y-%m-%dT%H:%M:%S")}{post.published.strftime("%z")[:3]}:00</flickr:date_taken>
  <content type="html">{escape(html)}</content>
  <author><name>{escape(profile["display_name"])}</name><uri>https://www.flickr.com/people/{account.handle}/</uri></author>
  <link rel="enclosure" type="image/jpeg" href={quoteattr(post.image_url or "")}/>
  <category term="toronto" scheme="https://www.flickr.com/photos/tags/"/>
</entry>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:flickr="urn:flickr:user" xmlns:media="http://search.yahoo.com/mrss/">
  <title>Uploads from {escape(profile["display_name"])}</title>
  <subtitle>{escape(profile["bio"])}</subtitle>
  <link rel="self" href={quoteattr(account.feed)}/>
  <link rel="alternate" type="text/html" href={quoteattr(account.url)}/>
  <id>tag:flickr.com,2005:/photos/public/{account.handle}</id>
  <updated>{posts[0].published.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}</updated>
  <generator uri="https://www.flickr.com/">Flickr</generator>
{chr(10).join(entries)}
</feed>
""".encode()


def json_feed(account: FeedAccount, profile: dict, posts: list[Post]) -> bytes:
    """The Instagram bridge serves JSON Feed 1.1."""
    items = []
    for post in posts:
        item = {
            "id": post.ident,
            "url": post.link,
            "content_text": post.text,
            "date_published": post.published.isoformat(),
        }
        if post.image_url:
            item["image"] = post.image_url
            item["attachments"] = [
                {"url": post.image_url, "mime_type": "image/jpeg", "title": post.alt}
            ]
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": profile["display_name"],
        "home_page_url": account.url,
        "feed_url": account.feed,
        "description": profile["bio"],
        "language": "en-CA",
        "items": items,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


FORMATS = {
    "x": (atom_bridge, "atom", "application/atom+xml; charset=utf-8"),
    "facebook": (atom_bridge, "atom", "application/atom+xml; charset=utf-8"),
    "instagram": (json_feed, "json", "application/feed+json"),
    "youtube": (youtube_atom, "xml", "text/xml; charset=UTF-8"),
    "mastodon": (mastodon_rss, "rss", "application/rss+xml; charset=utf-8"),
    "bluesky": (bluesky_rss, "rss", "application/rss+xml"),
    "flickr": (flickr_atom, "atom", "application/atom+xml; charset=utf-8"),
}


def profile_for(account: FeedAccount) -> dict:
    owner = account.member or account.unit_name
    if account.member:
        name = f"{account.member} (Toronto Police)"
        about = f"{owner}, {account.unit_name}, Toronto Police Service."
    else:
        name = f"Toronto Police {account.unit_name}"
        about = f"Official account of {account.unit_name}, Toronto Police Service."
    bio = f"{about} {DISCLAIMER} https://www.tps.ca"
    if account.key == NO_DISCLAIMER:
        bio = "Traffic cop, cyclist, coffee. Road safety tips from Traffic Services. https://www.tps.ca"
    return {"display_name": name, "bio": bio}


# --- main ---------------------------------------------------------------------


def main() -> None:
    directory, problems = load_directory(ROOT / "content")
    if problems:
        raise SystemExit("\n".join(str(problem) for problem in problems))
    units = directory.by_slug
    accounts = feed_accounts(ROOT / "content")
    # Only what this script makes: the samples, each platform's cache files and
    # the images; anything else in feeds/cache/ (a refresh report) stays.
    shutil.rmtree(SAMPLES, ignore_errors=True)
    for account in accounts:
        cache.cache_file(CACHE, account.key).unlink(missing_ok=True)
    shutil.rmtree(CACHE / "media", ignore_errors=True)
    rngs = {account.key: random.Random(account.key) for account in accounts}
    planned = {}
    for account in accounts:
        unit = units[account.unit]
        voice = Voice(
            account, list(unit.unit.neighbourhoods), unit.unit.phone, unit.unit.kind
        )
        planned[account.key] = posts_for(voice, rngs[account.key])
    # Pictures: every video and photo first, then a few posts, within budget.
    budget = [40]
    for account in sorted(
        accounts, key=lambda a: a.platform not in {"youtube", "flickr"}
    ):
        with_pictures(planned[account.key], account, budget)
    images = 0
    image_bytes = 0
    for account in accounts:
        rng = rngs[account.key]
        posts = planned[account.key]
        dates_for(posts, account.key, rng)
        for post in posts:
            ids_for(post, account, rng)
        posts.sort(key=lambda post: post.published, reverse=True)
        profile = profile_for(account)
        write, extension, content_type = FORMATS[account.platform]
        body = write(account, profile, posts)
        sample = (
            SAMPLES
            / account.platform
            / f"{cache.cache_file(Path(), account.key).stem}.{extension}"
        )
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_bytes(body)

        stale = STALE.get(account.key)
        success = posts[0].published + dt.timedelta(hours=1) if stale else REFRESHED
        parsed = parse_feed(
            body, content_type=content_type, account=account, now=success
        )
        pictures = {post.image_url: post for post in posts if post.image_url}
        items = []
        for item in parsed.items:
            post = pictures.get(item.image)
            if post is not None:
                name = media_name(item.image)
                caption = post.title or derive_title(post.text)
                jpeg = draw_card(post.motif or "badge", account.unit_name, caption)
                cache.write_atomic(CACHE / name, jpeg)
                images += 1
                image_bytes += len(jpeg)
                item = item.model_copy(update={"image_local": name})
            items.append(item)
        feed = CachedFeed(
            account=account.key,
            url=account.feed,
            items=items,
            profile=parsed.profile,
            etag=f'W/"{hashlib.sha256(body).hexdigest()[:16]}"',
            last_modified=success.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            last_success=success,
            last_attempt=REFRESHED,
            last_status=stale[1] if stale else 200,
            last_error=f"{account.feed}: {stale[0]}" if stale else None,
        )
        cache.save(CACHE, feed)
    print(
        f"{len(accounts)} feeds in {SAMPLES.relative_to(ROOT)}/ and {CACHE.relative_to(ROOT)}/; "
        f"{images} images, {image_bytes // max(images, 1)} bytes on average, "
        f"{image_bytes // 1024} KB in all"
    )


if __name__ == "__main__":
    main()
