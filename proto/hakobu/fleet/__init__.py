"""The fleet API package."""
