"""`python -m sigsat`: the same as the `sigsat` command."""

from __future__ import annotations

import sys

try:
    from .cli import main

    main()
except KeyboardInterrupt:  # Ctrl-C while importing, or a second one while stopping: nothing more is done
    print("Aborted.", file=sys.stderr)
    sys.exit(130)
except (ImportError, MemoryError) as e:  # a library that cannot be loaded: out of memory is the machine's
    from .faults import cause, describe

    found = cause(e)
    if found is None:
        raise
    print(f"Error: {describe(found)}", file=sys.stderr)
    sys.exit(2)
