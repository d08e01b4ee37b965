"""How times and sizes read to a person, the same in the terminal, the index page and the handout."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """m:ss, whole seconds down (as players show times): 59.9 -> '0:59'."""
    s = int(seconds + 1e-6)
    return f"{s // 60}:{s % 60:02d}"


def size(n: int | None) -> str:
    """Bytes as kB below 100 kB, else MB with one decimal ('' for none)."""
    if not n:
        return ""
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"
