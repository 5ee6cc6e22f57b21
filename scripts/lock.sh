#!/usr/bin/env bash
# Regenerate requirements/ci.lock: the exact versions (with hashes) that scripts/test.sh and CI
# install, resolved from pyproject.toml's ranges for every extra the suite needs. Run it after
# changing a dependency in pyproject.toml; tests/test_lock.py fails while the two disagree.
# Uses uv (installed into a throwaway virtualenv when not on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
uv=$(command -v uv || true)
if [ -z "$uv" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "${PYTHON:-python3}" -m venv "$tmp/venv"
    "$tmp/venv/bin/python" -m pip install -q uv </dev/null
    uv="$tmp/venv/bin/uv"
fi
mkdir -p requirements
"$uv" pip compile pyproject.toml --extra test --extra postgres --extra serve \
    --generate-hashes --universal --python-version 3.11 --upgrade \
    --custom-compile-command "bash scripts/lock.sh" -o requirements/ci.lock "$@"
