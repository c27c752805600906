"""The README's route table is the code's: every gateway route, its RPC and the modules behind it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("readme_routes", ROOT / "scripts" / "readme_routes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_readme_table_matches_the_code() -> None:
    script = _script()
    readme = (ROOT / "README.md").read_text()
    assert script.readme_with_table(readme) == readme, "run `.venv/bin/python scripts/readme_routes.py --write`"


def test_every_gateway_route_is_in_the_table_with_modules_that_exist() -> None:
    script = _script()
    rows = script.rows()
    routes = {row[0] for row in rows}
    assert {"POST /v1/chats", "WS /v1/chats/ws", "POST /v1/chats/uploads", "GET /v1/queries/{query_id}"} <= routes
    for _, rpc, *modules in rows:
        for module in modules:
            assert module == "-" or (ROOT / module).is_file(), (rpc, module)
