"""Every default path pmsim uses, in one place.

Kept import-light (no numpy, pydantic, platformdirs at import time) because the CLI imports it
to print `--help`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

APP_NAME = "pmsim"
BUILTIN_PACKAGE = "pmsim.builtin_scenarios"
_CHECKOUT_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def builtin_scenarios_dir() -> Path:
    """The folder holding the built-in scenario files.

    pyproject.toml ships the top-level `scenarios/` folder as the package
    `pmsim.builtin_scenarios`, so an installed pmsim (wheel, `pip install .`) finds it by import.
    It has no `__init__.py`, i.e. it is a namespace package, and setuptools' editable finder does
    not resolve namespace *sub*packages; in an editable install or a plain checkout we therefore
    fall back to `scenarios/` next to the `pmsim/` source folder.
    """
    try:
        spec = importlib.util.find_spec(BUILTIN_PACKAGE)
    except ModuleNotFoundError:  # pragma: no cover - only if `pmsim` itself is missing
        spec = None
    if spec is not None:
        for location in spec.submodule_search_locations or ():
            path = Path(location)
            if path.is_dir() and any(path.glob("*.yaml")):
                return path
    if _CHECKOUT_SCENARIOS.is_dir():
        return _CHECKOUT_SCENARIOS
    raise FileNotFoundError(
        f"cannot find the built-in scenarios: neither the package {BUILTIN_PACKAGE} nor "
        f"{_CHECKOUT_SCENARIOS} exists; reinstall pmsim (pip install .)"
    )


def user_data_dir() -> Path:
    """Per-user data folder (saves, database), e.g. ~/.local/share/pmsim on Linux."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """The SQLite database that holds saved games unless a URL says otherwise."""
    return user_data_dir() / "pmsim.sqlite3"


CONFIG_ENV = "PMSIM_CONFIG_DIR"


def user_config_dir() -> Path:
    """Per-user settings folder, e.g. ~/.config/pmsim on Linux; $PMSIM_CONFIG_DIR overrides it
    (the tests point it at a temporary folder, so they never touch the real home)."""
    import os

    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_path() -> Path:
    """The player's settings file (theme, mentor default, last player name)."""
    return user_config_dir() / "settings.json"
