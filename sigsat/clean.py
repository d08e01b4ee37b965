"""`sigsat clean`: the cache entries, parts and handout pictures no lecture in the output folder
uses, removed while nothing a live render holds is touched."""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path

from sigsat_core.contract import (
    ContractError,
    Entry,
    Handout,
    Layout,
    Manifest,
)

from .cache import ENTRY as ENTRY_FILE
from .cache import (
    Cache,
)
from .outputs import locked
from .runs import gc_lock, live_keys, sweep

MANIFEST = Layout.MANIFEST


def clean_cache(out: Path, cache_dir: Path | None, everything: bool) -> tuple[tuple[int, int], int]:
    """Remove the cache entries no manifest in OUT uses (all with `everything`), and the parts
    no entry kept was joined from, holding every quality folder's lock; what a live render
    (into any folder) uses always stays, and so does its work. ((entries and parts removed,
    bytes), entries and parts kept)."""
    cache = Cache(cache_dir or out / ".cache")
    if not cache.root.is_dir():
        return (0, 0), 0
    # The lectures in OUT/<quality>/ and its variants in OUT/<quality>/variants/<name>/.
    found = [*out.glob(f"*/{MANIFEST}"), *out.glob(f"*/variants/*/{MANIFEST}")] if out.is_dir() else []
    folders = sorted(p.parent for p in found)
    with ExitStack() as stack:
        for folder in folders:
            stack.enter_context(locked(folder, wait=False))
        used = set() if everything else _used_keys(folders)
        with gc_lock(cache, exclusive=True):
            used |= live_keys(cache)
            sweep(cache)
            (removed, freed), kept, parts_used = _clean_store(cache, used)
            parts = cache.parts_store()
            (p_removed, p_freed), p_kept, _ = _clean_store(parts, used | parts_used)
            stills = Cache(cache.root)
            stills.entries = cache.stills
            shown = set() if everything else _stills_keys(folders)
            (s_removed, s_freed), s_kept, _ = _clean_store(stills, used | shown)
            p_removed, p_freed, p_kept = p_removed + s_removed, p_freed + s_freed, p_kept + s_kept
            if everything:
                for folder in (cache.logs, cache.plans):
                    if folder.is_dir():
                        shutil.rmtree(folder)
    return (removed + p_removed, freed + p_freed), kept + p_kept


def _clean_store(store: Cache, used: set[str]) -> tuple[tuple[int, int], int, set[str]]:
    """Remove a store's entries whose keys are not in `used`: ((removed, bytes), kept, the
    parts the kept entries were joined from)."""
    removed, freed, kept = 0, 0, 0
    parts: set[str] = set()
    if not store.entries.is_dir():
        return (0, 0), 0, parts
    for entry in sorted(store.entries.iterdir()):
        if entry.name.startswith("."):
            continue  # being published or removed by a live render
        if entry.name in used:
            kept += 1
            parts.update(_part_keys(entry))
            continue
        freed += sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())
        store.discard(entry.name)
        removed += 1
    return (removed, freed), kept, parts


def _part_keys(entry: Path) -> list[str]:
    """The parts a chapter's entry was joined from (none for a part, or an unreadable entry:
    its parts then go, and are drawn again when needed)."""
    try:
        return Entry.read(entry / ENTRY_FILE).part_keys
    except ContractError:
        return []


def _stills_keys(folders: list[Path]) -> set[str]:
    """The handout pictures (sigsat.stills) the handouts in these folders show."""
    keys: set[str] = set()
    for folder in folders:
        for record in (folder / Layout.HANDOUT).glob("*.json"):
            try:
                keys.update(Handout.read(record).stills)
            except ContractError:
                continue  # not a handout's record: the pictures are made again when needed
    return keys


def _used_keys(folders: list[Path]) -> set[str]:
    """The cache keys the manifests in these folders use (an unreadable one keeps them all)."""
    used: set[str] = set()
    for folder in folders:
        try:
            used.update(c.cache_key for c in Manifest.read(folder / MANIFEST).chapters)
        except ContractError as e:
            raise ContractError(f"{e}; not cleaning, since its chapters' renders are unknown") from None
    return used
