"""Mail adapters of the reports: SMTP, and an outbox folder (the embedded default and the fallback)."""
