"""Redis adapters: implementations of small ports whose state is shared between processes (live state,
denylists, rate limits)."""
