"""The manim shims in scenes/upstream.py hold only for the manim they were written against."""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from scenes.upstream import COPIED_SOURCES, WRITTEN_AGAINST

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_manim_is_the_one_the_shims_were_written_against() -> None:
    installed = Version(importlib.metadata.version("manim"))
    written = Version(WRITTEN_AGAINST)
    assert installed.release[:2] == written.release[:2], (
        f"manim {installed} is installed, the shims in scenes/upstream.py were written against "
        f"{written}: read each shim against the new manim, then move the pin and WRITTEN_AGAINST")


def test_pyproject_pins_manim_to_that_minor_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    manim = [Requirement(d) for d in project["project"]["dependencies"] if Requirement(d).name == "manim"]
    assert len(manim) == 1
    written = Version(WRITTEN_AGAINST)
    assert written in manim[0].specifier
    next_minor = Version(f"{written.major}.{written.minor + 1}.0")
    assert next_minor not in manim[0].specifier, "manim must be pinned below the next minor version"


@pytest.mark.parametrize("name", sorted(COPIED_SOURCES))
def test_every_copied_manim_method_is_unchanged(name: str) -> None:
    module, cls, method = name.rsplit(".", 2)
    source = inspect.getsource(getattr(getattr(importlib.import_module(module), cls), method))
    assert hashlib.sha256(source.encode()).hexdigest() == COPIED_SOURCES[name], (
        f"{name} changed upstream: read the shim in scenes/upstream.py against it")
