"""Names a user gives to files the commands write (a variant's folder, a deck, a handout).

A name becomes a file or folder beside others the command writes, so it must stay one plain
name in that folder: no separator, no leading dot, no control character, and none of the
files written beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# `re.fullmatch`: `$` would also match before a final newline.
PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.=+-]{0,63}")
RULE = "letters, digits and . _ = + - (at most 64), starting with a letter or a digit"


class BadName(ValueError):
    """A name that cannot name a file beside the others; the message is one line."""


def shown(name: str, limit: int = 40) -> str:
    """The name as a message shows it: quoted, escaped, cut to `limit` characters."""
    return repr(name if len(name) <= limit else name[:limit] + "...")


def check_plain(name: str, what: str, reserved: Iterable[str] = (), why: str = "a name, not a path") -> str:
    """`name` when it is a plain name that none of `reserved` (compared ignoring case) takes."""
    if not PLAIN.fullmatch(name):
        raise BadName(f"{what} {shown(name)}: {why}: {RULE}")
    taken = {r.lower() for r in reserved}
    if name.lower() in taken:
        raise BadName(f"{what} {shown(name)}: that name is taken by a file written beside it "
                         f"({', '.join(sorted(reserved))})")
    return name
