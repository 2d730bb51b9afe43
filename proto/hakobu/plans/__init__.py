"""The plans API package."""
