#!/usr/bin/env bash
# sigsat: render the lecture (`./render.sh [render options]`) or run the tests (`./render.sh test`).
# Sets itself up first, once: the system packages manim needs, then .venv with the project.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(libcairo2-dev libpango1.0-dev pkg-config ffmpeg
              texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm
              fonts-dejavu-core)
# Only for `./render.sh test` (large, so not installed for rendering): the index page and the
# HTML slides are checked in a real headless browser, the PPTX in LibreOffice Impress (about
# 40 MB to download with --no-install-recommends).
TEST_APT_PACKAGES=(chromium chromium-driver libreoffice-impress)
VENV=.venv
STAMP="$VENV/.sigsat-installed"

missing_apt() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

ensure_system() {
  local missing
  missing=$(missing_apt "$@" | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  local cmd="apt-get install -y --no-install-recommends $missing"
  if [ "$(id -u)" -ne 0 ]; then
    echo "sigsat needs system packages first; run as root:" >&2
    echo "  apt-get update && $cmd" >&2
    exit 2
  fi
  echo "Installing system packages: $missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

ensure_venv() {
  # Reinstall only when pyproject.toml changed since the last install.
  if [ -f "$STAMP" ] && [ "$STAMP" -nt pyproject.toml ] && [ -x "$VENV/bin/python" ]; then
    return 0
  fi
  local py=${PYTHON:-python3}
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "sigsat needs Python 3.11 or newer ($py is $("$py" --version 2>&1))" >&2; exit 2; }
  [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV"
  echo "Installing the project into $VENV ..." >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q -e '.[dev,cluster]' >&2
  touch "$STAMP"
}

ensure_test_system() {
  # Optional: without them the browser and office tests skip, so a non-root user is only told.
  local missing
  missing=$(missing_apt "${TEST_APT_PACKAGES[@]}" | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "note: the browser and office tests skip without the Debian packages: $missing" >&2
    return 0
  fi
  ensure_system "${TEST_APT_PACKAGES[@]}"
}

ensure_system "${APT_PACKAGES[@]}"
[ "${1:-}" = "test" ] && ensure_test_system
ensure_venv

if [ "${1:-}" = "test" ]; then
  shift
  echo "ruff check ..." >&2
  "$VENV/bin/ruff" check .
  echo "mypy ..." >&2
  "$VENV/bin/mypy"
  exec "$VENV/bin/python" -m pytest "$@"
fi
exec "$VENV/bin/sigsat" "$@"
