"""The edges that start the system: the command line (``cli``); their main functions use the bootstrap."""
