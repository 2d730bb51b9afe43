"""PostgreSQL: connection pool, master data, plans, scheduler run state, yoyo migrations and seed data."""
