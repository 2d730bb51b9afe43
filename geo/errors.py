"""Errors raised by the geo package, each naming what was wrong."""

from __future__ import annotations


class GeoError(Exception):
    """Base class of the geo package's errors."""


class OsmFileError(GeoError):
    """An OSM file that cannot be read, is empty or holds no usable road."""


class UnknownGraphError(GeoError, KeyError):
    """A graph id that is not loaded (a KeyError, as optimizer.compiled.RoadMatrices expects)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownProfileError(GeoError, LookupError):
    """A vehicle class the graph was not compiled for (a LookupError but not a KeyError)."""


class NoRoadsError(GeoError):
    """A vehicle class that no road of the graph admits."""


class PointError(GeoError, ValueError):
    """A location that cannot be used; ``index`` is its position in the list given."""

    def __init__(self, index: int, message: str) -> None:
        self.index = index
        super().__init__(message)


class SnapError(PointError):
    """A point too far from any road the vehicle class may use, or outside the graph's area."""

    def __init__(self, index: int, distance_m: float, reason: str = "") -> None:
        self.index = index
        self.distance_m = distance_m
        detail = reason or f"nearest usable road is {distance_m:.0f} m away"
        super().__init__(index, f"location {index}: {detail}")
