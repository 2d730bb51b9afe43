"""Vehicle profiles and the OSM tag rules deciding which roads a class may use."""

from __future__ import annotations

import itertools

import pytest

from geo.profiles import DEFAULT_PROFILES, VehicleProfile, parse_metres, parse_tonnes

KEI, TWO, FOUR, TEN = (DEFAULT_PROFILES[n] for n in ("軽", "2t", "4t", "10t"))


def test_default_classes_grow_in_size() -> None:
    """The four default classes exist and each is at least as large and heavy as the one before."""
    sizes = [(p.height_m, p.width_m, p.length_m, p.weight_t) for p in (KEI, TWO, FOUR, TEN)]
    assert list(DEFAULT_PROFILES) == ["軽", "2t", "4t", "10t"]
    assert all(all(a <= b for a, b in zip(x, y, strict=True)) for x, y in itertools.pairwise(sizes))
    assert TEN.max_speed_kmh == 80 and KEI.max_speed_kmh == 100


def test_hgv_no_bars_heavy_classes_only() -> None:
    """hgv=no bars the 4t and 10t classes (≥ 8 t gross) but not 軽 or 2t."""
    tags = {"highway": "residential", "hgv": "no"}
    assert [p.admits(tags) for p in (KEI, TWO, FOUR, TEN)] == [True, True, False, False]


@pytest.mark.parametrize(
    ("value", "admitted"),
    [
        ("2.9", [True, False, False, False]),
        ("3.2 m", [True, True, False, False]),
        ("12'6\"", [True, True, True, True]),
        ("350 cm", [True, True, True, False]),
        ("default", [True, True, True, True]),
        ("garbage", [True, True, True, True]),
    ],
)
def test_maxheight(value: str, admitted: list[bool]) -> None:
    """maxheight is read in metres, feet/inches or cm; a vehicle taller than the limit is barred."""
    assert [p.admits({"maxheight": value}) for p in (KEI, TWO, FOUR, TEN)] == admitted


def test_weight_width_length_limits() -> None:
    """maxweight (t or kg), maxwidth and maxlength bar the classes that exceed them."""
    assert [p.admits({"maxweight": "7500 kg"}) for p in (KEI, TWO, FOUR, TEN)] == [True, True, False, False]
    assert [p.admits({"maxwidth": "2.0"}) for p in (KEI, TWO, FOUR, TEN)] == [True, True, False, False]
    assert [p.admits({"maxlength": "10"}) for p in (KEI, TWO, FOUR, TEN)] == [True, True, True, False]


def test_access_most_specific_tag_decides() -> None:
    """access=no is lifted by hgv=designated for heavy classes; goods=no bars only the light trucks."""
    assert not KEI.admits({"access": "no"})
    assert TEN.admits({"access": "no", "hgv": "designated"})
    assert not KEI.admits({"access": "no", "hgv": "designated"})
    assert not TWO.admits({"goods": "no"}) and TEN.admits({"goods": "no"})
    assert TEN.admits({"access": "destination"}) and TEN.admits({"motor_vehicle": "delivery"})
    assert not TEN.admits({"motor_vehicle": "private"})


def test_list_values_take_the_strictest() -> None:
    """Tag values merged into lists (or ';' lists) apply their strictest part."""
    assert not TEN.admits({"maxheight": ["4.0", "3.5"]})
    assert not KEI.admits({"access": "yes;no"})
    assert parse_metres("3.5;4") == 3.5 and parse_tonnes("5.5 t") == 5.5 and parse_tonnes(None) is None


def test_profile_validation_and_key() -> None:
    """Non-positive sizes are rejected and the key changes with any field."""
    with pytest.raises(ValueError, match="height_m"):
        VehicleProfile("x", height_m=0, width_m=1, length_m=1, weight_t=1, is_hgv=False)
    other = VehicleProfile(
        "10t", height_m=3.7, width_m=2.5, length_m=12, weight_t=25, is_hgv=True, max_speed_kmh=80
    )
    assert other.key != TEN.key and len(TEN.key) == 12
