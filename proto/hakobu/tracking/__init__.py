"""The tracking API package."""
