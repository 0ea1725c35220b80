"""Output helpers shared by all commands: JSON on stdout, humans and progress on stderr."""

from __future__ import annotations

import json
import sys

from rich.console import Console

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False, soft_wrap=True)


def print_json(data: object) -> None:
    # ensure_ascii=False: Arabic stays readable, never \uXXXX.
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()
