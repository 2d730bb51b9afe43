"""The reports API package."""
