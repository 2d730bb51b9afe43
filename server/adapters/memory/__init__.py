"""In-memory implementations of the plans ports, for unit tests and database-free runs."""
