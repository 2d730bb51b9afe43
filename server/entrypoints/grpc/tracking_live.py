"""The live half of TrackingService; the live tracking work fills it in."""


class LiveMethods: ...
