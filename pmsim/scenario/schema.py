"""The JSON Schema (draft 2020-12) of scenario files, generated from the pydantic models.

`scenarios/schema.json` is this, written out; a test keeps the two in sync, and every built-in
scenario points editors at it with a `# yaml-language-server: $schema=./schema.json` line.
"""

from __future__ import annotations

import json
from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    from pmsim.scenario.models import Scenario

    schema = Scenario.model_json_schema(mode="validation")
    return {
        "$schema": DRAFT,
        "$id": "https://pmsim.invalid/schema/scenario.json",
        "title": "pmsim scenario",
        "description": "A pmsim scenario file: market, backlog, stakeholders, OKRs, events, scoring.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
