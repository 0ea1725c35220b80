"""The package's layers point one way: ingest -> index -> retrieve -> generate -> verify -> the
operations (answer, summarize, check, brief) -> app -> cli; text, records, errors and config
underneath all. Read from the source's imports (module level and inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import ROOT

PACKAGE = ROOT / "rag"
# layer -> the layers it must never import
FORBIDDEN = {
    "text": {
        "ingest",
        "index",
        "retrieve",
        "generate",
        "verify",
        "answer",
        "summarize",
        "check",
        "translation",
        "brief",
        "app",
        "cli",
        "evals",
    },
    "ingest": {"retrieve", "generate", "verify", "answer", "summarize", "check", "brief", "app", "cli", "evals"},
    "index": {"retrieve", "generate", "verify", "answer", "summarize", "check", "brief", "app", "cli", "evals"},
    "retrieve": {"generate", "verify", "answer", "summarize", "check", "brief", "app", "cli", "evals"},
    "generate": {"verify", "answer", "summarize", "check", "brief", "app", "cli", "evals"},
    "verify": {"answer", "summarize", "check", "brief", "app", "cli", "evals"},
    "answer": {"app", "cli", "evals", "brief"},
    "summarize": {"app", "cli", "evals", "brief"},
    "check": {"app", "cli", "evals", "brief"},
    "brief": {"cli", "evals"},
    "evals": {"cli"},
    "app": {"cli"},
}


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imported_layers(path: Path) -> set[str]:
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if name.startswith("rag."):
                layers.add(name.split(".")[1])
    return layers


def test_no_module_imports_a_layer_above_its_own():
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = _layer(path)
        for imported in _imported_layers(path) & FORBIDDEN.get(layer, set()):
            offences.append(f"{path.relative_to(ROOT)} ({layer}) imports rag.{imported}")
    assert offences == []
