"""Terminal rendering of citations and cited sentences (shared by commands and the REPL)."""
from __future__ import annotations

from rich.text import Text

from rag.cli.output import stdout
from rag.records import Citation


def print_citations(citations: list[Citation]) -> None:
    for c in citations:
        line = Text()
        line.append(f"[{c.n}] ", style="bold")
        line.append(c.title or c.doc_id)
        line.append(f"  {c.doc_id} {c.start}-{c.end}" + (f"  {c.date}" if c.date else ""), style="dim")
        stdout.print(line)
        stdout.print(Text("    “" + " ".join(c.quote.split()) + "”", style="italic"))
