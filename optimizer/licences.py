"""Japanese driving licence classes (運転免許) and the trucks each one allows.

A licence allows a vehicle when both its gross vehicle weight (車両総重量) and
its payload (最大積載量) are strictly below the licence's limits. A weight that
is unknown (``None``) is not checked: only the known one decides.
"""

from __future__ import annotations

import enum


class Licence(enum.Enum):
    FUTSU = "普通"
    JUNCHUGATA = "準中型"
    CHUGATA = "中型"
    OGATA = "大型"
    #: Older licences restricted by the law of the time they were issued.
    LIMITED_5T = "5t限定"
    LIMITED_8T = "8t限定"


#: (gross weight limit, payload limit) in kg, both exclusive; ``None`` = no limit.
LIMITS: dict[Licence, tuple[int | None, int | None]] = {
    Licence.FUTSU: (3_500, 2_000),
    Licence.JUNCHUGATA: (7_500, 4_500),
    Licence.CHUGATA: (11_000, 6_500),
    Licence.OGATA: (None, None),
    Licence.LIMITED_5T: (5_000, 3_000),
    Licence.LIMITED_8T: (8_000, 5_000),
}


def parse_licence(text: str) -> Licence:
    """The licence named by its Japanese value or romaji name; ``ValueError`` otherwise."""
    t = text.strip()
    for lic in Licence:
        if t == lic.value or t.upper() == lic.name:
            return lic
    names = ", ".join(f"{lic.value} ({lic.name})" for lic in Licence)
    raise ValueError(f"unknown licence {text!r}; expected one of {names}")


def allows(licence: Licence, gross_weight_kg: int | None, payload_kg: int | None) -> bool:
    """Whether ``licence`` may drive a vehicle of these weights (unknown weights pass)."""
    max_gross, max_payload = LIMITS[licence]
    if max_gross is not None and gross_weight_kg is not None and gross_weight_kg >= max_gross:
        return False
    return not (max_payload is not None and payload_kg is not None and payload_kg >= max_payload)
