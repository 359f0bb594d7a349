import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tps.core import clock


def test_unset_is_the_real_time(monkeypatch):
    monkeypatch.delenv(clock.ENV, raising=False)
    before = dt.datetime.now(dt.UTC)
    moment = clock.now()
    assert before <= moment <= dt.datetime.now(dt.UTC)
    assert moment.tzinfo is dt.UTC
    monkeypatch.setenv(clock.ENV, "")
    assert clock.fixed() is None


def test_fixed_now_in_any_zone(monkeypatch):
    monkeypatch.setenv(clock.ENV, "2026-11-30T12:00:00-05:00")
    assert clock.now() == dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC)
    assert clock.now().tzinfo is dt.UTC
    toronto = clock.now(ZoneInfo("America/Toronto"))
    assert (toronto.hour, toronto.utcoffset()) == (12, dt.timedelta(hours=-5))
    assert clock.today() == dt.date(2026, 11, 30)
    monkeypatch.setenv(clock.ENV, "2026-11-30T23:30:00-05:00")
    assert clock.today() == dt.date(2026, 12, 1)  # UTC by default
    assert clock.today(ZoneInfo("America/Toronto")) == dt.date(2026, 11, 30)
    monkeypatch.setenv(clock.ENV, "2026-11-30T17:00:00Z")
    assert clock.now() == dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC)


@pytest.mark.parametrize("value", ["2026-11-30T12:00:00", "2026-11-30", "yesterday"])
def test_a_time_without_offset_is_refused(monkeypatch, value):
    monkeypatch.setenv(clock.ENV, value)
    with pytest.raises(clock.ClockError, match="TPS_FIXED_NOW"):
        clock.now()


def test_alerts_and_the_build_read_it(monkeypatch):
    from tps.alerts import model

    monkeypatch.setenv(clock.ENV, "2026-07-14T08:00:00-04:00")
    assert model.now() == dt.datetime(2026, 7, 14, 8, tzinfo=model.TORONTO)
