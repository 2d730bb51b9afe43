"""The geo API package."""
