"""render.sh sets itself up: missing system packages as a non-root user mean one exact command and exit 2."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fake_bin(tmp_path: Path, installed: set[str], uid: int) -> Path:
    """Stand-ins for dpkg-query and id: which packages look installed, and who we are."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dpkg-query").write_text(
        "#!/bin/sh\nfor last; do :; done\n"  # the package is the last argument
        f'for p in {" ".join(sorted(installed)) or "none"}; do [ "$p" = "$last" ] && '
        "{ printf 'install ok installed'; exit 0; }; done\nexit 1\n"
    )
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "apt-get").write_text("#!/bin/sh\necho apt-get must not run >&2\nexit 99\n")
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    return bin_dir


def run(tmp_path: Path, installed: set[str], uid: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{fake_bin(tmp_path, installed, uid)}:{os.environ['PATH']}"}
    return subprocess.run([str(ROOT / "render.sh"), "test", "--version"], env=env, text=True,
                          capture_output=True, timeout=120)


def test_non_root_with_missing_packages_gets_the_exact_command(tmp_path):
    result = run(tmp_path, installed={"pkg-config", "ffmpeg"}, uid=1000)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    command = lines[-1].strip()
    assert command.startswith("apt-get update && apt-get install -y --no-install-recommends ")
    wanted = set(command.split("--no-install-recommends ")[1].split())
    assert {"libcairo2-dev", "libpango1.0-dev", "dvisvgm", "texlive-latex-base"} <= wanted
    assert not wanted & {"pkg-config", "ffmpeg"}


def test_nothing_missing_goes_straight_on(tmp_path):
    script = (ROOT / "render.sh").read_text()
    listed = script.split("APT_PACKAGES=(")[1].split(")")[0].split()
    result = run(tmp_path, installed=set(listed), uid=1000)
    assert result.returncode == 0, result.stderr
    assert "pytest" in result.stdout + result.stderr
    assert "apt-get" not in result.stderr
