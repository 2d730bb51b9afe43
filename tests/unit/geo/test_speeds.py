"""Road speeds from maxspeed tags and per-class defaults for Japan."""

from __future__ import annotations

import pytest

from geo.speeds import JAPAN_DEFAULTS_KMH, SpeedTable, parse_maxspeed


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("40", 40.0),
        ("40 km/h", 40.0),
        ("30 mph", 48.28032),
        ("JP:urban", 60.0),
        ("JP:motorway", 100.0),
        ("40;50", 40.0),
        (["30", "50"], 30.0),
        ("signals", None),
        ("none", None),
        (None, None),
        ("0", None),
    ],
)
def test_parse_maxspeed(value: object, kmh: float | None) -> None:
    """maxspeed values in km/h, mph, Japanese zone codes and lists are read; unusable ones give None."""
    result = parse_maxspeed(value)
    assert result == pytest.approx(kmh) if kmh is not None else result is None


def test_tagged_speed_wins_then_class_default_then_fallback() -> None:
    """A tagged maxspeed is used; without it the highway class default, then the fallback."""
    table = SpeedTable()
    assert table.speed_kmh({"highway": "residential", "maxspeed": "30"}) == 30
    assert table.speed_kmh({"highway": "residential"}) == JAPAN_DEFAULTS_KMH["residential"]
    assert table.speed_kmh({"highway": "mystery"}) == table.fallback_kmh
    assert SpeedTable(use_maxspeed=False).speed_kmh({"highway": "primary", "maxspeed": "60"}) == 40


def test_class_cap_and_configuration() -> None:
    """The vehicle's cap limits every speed; custom defaults change the table's key."""
    table = SpeedTable()
    assert table.speed_kmh({"highway": "motorway", "maxspeed": "100"}, cap_kmh=80) == 80
    custom = SpeedTable(defaults={"residential": 15.0})
    assert custom.speed_kmh({"highway": "residential"}) == 15 and custom.key != table.key
    with pytest.raises(ValueError):
        SpeedTable(defaults={"residential": 0.0})
