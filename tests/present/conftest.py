"""The presenting commands run once per session on the whole lecture (`tiny_out`, rendered
once per session in tests/conftest.py), under a lock in the session's shared temporary folder,
so the tests may be spread over the workers whatever `--dist` says.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import once, shared_root


@pytest.fixture(scope="session")
def presented(tiny_out: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """slides (with the one-file deck), handout and embed run on the tiny lecture (once for
    the session), with what each printed."""
    from click.testing import CliRunner

    from sigsat.present import present_group

    printed = tiny_out.parent / "printed.json"

    def run() -> dict[str, str]:
        runner = CliRunner()
        said = {}
        for command in (["slides", "--one-file"], ["handout"], ["embed"]):
            started = time.monotonic()
            result = runner.invoke(present_group, [*command, "--out", str(tiny_out.parent)])
            assert result.exit_code == 0, result.output + repr(result.exception)
            said[command[0]] = result.output
            print(f"{command[0]}: {time.monotonic() - started:.1f} s")
        printed.write_text(json.dumps(said))
        return said

    return once(shared_root(tmp_path_factory), "presented", run, lambda: json.loads(printed.read_text()))
