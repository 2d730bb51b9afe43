"""The optimizer API package."""
