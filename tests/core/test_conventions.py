"""The conventions a newcomer can rely on, checked so that they stay true."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICE_CODE = sorted((ROOT / "services" / "core").rglob("*.py"))


def _functions(path: Path) -> list[ast.FunctionDef]:
    """The module's own functions (methods follow their base class's signature)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def test_functions_taking_a_session_take_everything_by_keyword() -> None:
    """Dispatch's convention: `def accept(*, session, user, introduction_id)`, so that a call
    reads as what it passes and an argument cannot slip into another's place."""
    positional = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path in SERVICE_CODE
        for node in _functions(path)
        if not node.name.startswith("_")
        and any(arg.arg == "session" for arg in node.args.posonlyargs + node.args.args)
    ]
    assert positional == []


def test_public_service_functions_say_what_they_do() -> None:
    undocumented = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path in SERVICE_CODE
        for node in _functions(path)
        if not node.name.startswith("_") and ast.get_docstring(node) is None
    ]
    assert undocumented == []
