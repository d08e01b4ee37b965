"""`python -m sigsat`: the same as the `sigsat` command."""

from __future__ import annotations

from .cli import main

main()
