"""Adapters that implement the ports: ``postgres`` (all SQL), ``memory`` (fakes for tests), road graphs."""
