"""The signal social_feeds sends when it has the accounts' items and before
any page is built from them. Governance connects the moderation gate to it
(tps/governance/moderation.py), so social_feeds never imports governance."""

from blinker import signal

# send(generator, settings=..., states=[AccountState], now=datetime) -> the
# receiver takes held and hidden items out of the states and returns its
# screening. Exactly one receiver: no gate would show what review meant to hide.
feed_states_ready = signal("tps.social_feeds.feed_states_ready")
