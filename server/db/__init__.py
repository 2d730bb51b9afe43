"""The embedded PostgreSQL (``config``); every other piece of SQL is in ``server.adapters.postgres``."""
