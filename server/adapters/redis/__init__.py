"""Redis adapters: implementations of small ports whose state is shared between processes."""
