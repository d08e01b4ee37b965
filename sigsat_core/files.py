"""File helpers every floor above uses: a file's sha256, and linking the same bytes elsewhere."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path


def sha256_file(path: Path) -> str:
    """The file's sha256, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def link_or_copy(src: Path, dest: Path) -> None:
    """`dest` as a hard link to `src` (the same bytes, no copy), or a copy where links fail."""
    try:
        os.link(src, dest)
    except OSError as e:
        if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
            raise
        shutil.copyfile(src, dest)
