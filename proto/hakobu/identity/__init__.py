"""The identity API package."""
