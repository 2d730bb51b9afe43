"""Redis adapters (live state, denylists) implementing ports of the domain packages."""
