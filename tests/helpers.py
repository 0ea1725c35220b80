"""Constants and small helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
SEED_HEADLINE = "البنتاغون ينتقد موسكو ويستبعد تعاونًا عسكريًا معها في سوريا"


def rag_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a `rag` subprocess: this one's without RAG_* variables, RAG_HOME=home, `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env["RAG_HOME"] = str(home)
    env.update(extra)
    return env


def rag_command(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`rag ARGS` in a subprocess; a user never sees a traceback, whatever the exit code."""
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli.main", *args],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    return proc
