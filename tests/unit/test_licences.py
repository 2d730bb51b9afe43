"""Licence classes: parsing and which vehicle weights each one allows."""

from __future__ import annotations

import pytest

from optimizer.licences import Licence, allows, parse_licence


@pytest.mark.parametrize(
    ("licence", "gross", "payload", "expected"),
    [
        (Licence.FUTSU, 3_499, 1_999, True),
        (Licence.FUTSU, 3_500, 1_000, False),
        (Licence.FUTSU, 3_000, 2_000, False),
        (Licence.JUNCHUGATA, 7_499, 4_499, True),
        (Licence.JUNCHUGATA, 7_500, 4_000, False),
        (Licence.JUNCHUGATA, 7_000, 4_500, False),
        (Licence.CHUGATA, 10_999, 6_499, True),
        (Licence.CHUGATA, 11_000, 6_000, False),
        (Licence.CHUGATA, 10_000, 6_500, False),
        (Licence.OGATA, 25_000, 14_000, True),
        (Licence.LIMITED_5T, 4_999, 2_999, True),
        (Licence.LIMITED_5T, 5_000, 2_000, False),
        (Licence.LIMITED_5T, 4_000, 3_000, False),
        (Licence.LIMITED_8T, 7_999, 4_999, True),
        (Licence.LIMITED_8T, 8_000, 4_000, False),
        (Licence.LIMITED_8T, 7_000, 5_000, False),
    ],
)
def test_allows_table(licence: Licence, gross: int, payload: int, expected: bool) -> None:
    """Both gross weight and payload must be strictly under the licence's limits."""
    assert allows(licence, gross, payload) is expected


def test_unknown_weight_is_not_checked() -> None:
    """An unknown weight passes; the known one still decides."""
    assert allows(Licence.FUTSU, None, None)
    assert allows(Licence.FUTSU, None, 1_000)
    assert not allows(Licence.FUTSU, None, 2_500)
    assert not allows(Licence.JUNCHUGATA, 20_000, None)


@pytest.mark.parametrize(
    ("text", "licence"),
    [
        ("普通", Licence.FUTSU),
        ("準中型", Licence.JUNCHUGATA),
        ("中型", Licence.CHUGATA),
        ("大型", Licence.OGATA),
        ("5t限定", Licence.LIMITED_5T),
        ("8t限定", Licence.LIMITED_8T),
        ("FUTSU", Licence.FUTSU),
        ("junchugata", Licence.JUNCHUGATA),
        ("CHUGATA", Licence.CHUGATA),
        (" OGATA ", Licence.OGATA),
        ("LIMITED_5T", Licence.LIMITED_5T),
        ("LIMITED_8T", Licence.LIMITED_8T),
    ],
)
def test_parse_licence(text: str, licence: Licence) -> None:
    """Japanese names and romaji aliases both parse."""
    assert parse_licence(text) is licence


def test_parse_licence_rejects_unknown() -> None:
    """An unknown licence name is a ValueError listing the accepted names."""
    with pytest.raises(ValueError, match="準中型"):
        parse_licence("10t")
