"""``python -m server.entrypoints.cli``: the ``hakobu`` command."""

import sys

from server.entrypoints.cli.main import main

sys.exit(main())
