#!/usr/bin/env bash
# Set up (a .venv in the checkout, if missing) and run the whole test suite: ruff and lint-imports
# (the layer contracts in pyproject.toml's [tool.importlinter]), then pytest.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k cli`. Needs no terminal or stdin.
# PMSIM_TEST_WORKERS (default 2) is how many pytest processes share the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

#
# By default the exact versions of requirements/ci.lock are installed (hash-checked), so what CI
# tests is what the lock names, not whatever was released that morning. `--latest` (first
# argument) instead runs the suite in .venv-latest against the newest versions pyproject.toml
# allows, to find drift on purpose; regenerate the lock with `bash scripts/lock.sh`.
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
venv=.venv
latest=0
if [ "${1:-}" = "--latest" ]; then
    latest=1
    venv=.venv-latest
    shift
fi
if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
if [ "$latest" -eq 1 ]; then
    "$venv/bin/python" -m pip install -q -U --upgrade-strategy eager -e '.[test,postgres,serve]' </dev/null
else
    "$venv/bin/python" -m pip install -q --require-hashes -r requirements/ci.lock </dev/null
    "$venv/bin/python" -m pip install -q --no-deps --no-build-isolation -e . </dev/null
fi

# Services the suite runs against for real: a PostgreSQL server (the tests start a throwaway one
# on 127.0.0.1) and headless Chromium (browser tests). Installed from Debian packages when
# missing; without root the tests that need them skip locally (and fail on CI).
for svc in postgres chromium; do
    if [ -f "scripts/ensure_$svc.sh" ]; then
        bash "scripts/ensure_$svc.sh" </dev/null || echo "scripts/test.sh: could not install $svc" >&2
    fi
done

# Run pytest even when ruff or lint-imports finds something, so one run shows every failure.
lint=0
"$venv/bin/python" -m ruff check pmsim tests </dev/null || lint=$?
imports=0
"$venv/bin/lint-imports" </dev/null || imports=$?
# Two pytest workers (pytest-xdist) by default: CI's machine has two cores, and the suite's wall
# time about halves. PMSIM_TEST_WORKERS=1 runs it in one process (e.g. to debug with -x or pdb).
workers=${PMSIM_TEST_WORKERS:-2}
parallel=()
if [ "$workers" != "1" ]; then
    parallel=(-n "$workers")
fi
tests=0
"$venv/bin/python" -m pytest -q "${parallel[@]}" "$@" </dev/null || tests=$?
if [ "$lint" -ne 0 ]; then
    echo "scripts/test.sh: ruff check failed (exit $lint)" >&2
fi
if [ "$imports" -ne 0 ]; then
    echo "scripts/test.sh: lint-imports failed (exit $imports): an import breaks a contract in pyproject.toml" >&2
fi
if [ "$tests" -ne 0 ]; then
    exit "$tests"
fi
if [ "$lint" -ne 0 ]; then
    exit "$lint"
fi
exit "$imports"
