"""The embedded PostgreSQL (``config``) and the operations store; other SQL: ``server.adapters.postgres``."""
