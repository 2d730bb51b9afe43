"""Tracking (配送実績): positions, stop events, live state, ETAs and alerts. No SQL, no gRPC here."""
