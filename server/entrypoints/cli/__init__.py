"""The ``hakobu`` command line: ``main.main`` is its entry point."""
