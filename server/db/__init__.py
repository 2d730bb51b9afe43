"""PostgreSQL storage: connection settings, schema migrations, org-scoped repositories and demo data."""
