"""`python -m sigsat`: the same as the `sigsat` command."""

from __future__ import annotations

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the command was still importing: nothing was done yet
    print("Aborted.", file=sys.stderr)
    sys.exit(130)

main()
