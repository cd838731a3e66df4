"""``python -m jlip_desk``: the same as the ``jlip-desk`` command."""

import sys

from jlip_desk.cli import main

sys.exit(main())
