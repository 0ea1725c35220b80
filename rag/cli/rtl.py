"""Arabic for terminals that cannot shape it: choose a display mode, and apply it to printed lines only.

Terminals that implement BiDi and Arabic shaping themselves (GNOME Terminal and other
VTE terminals, Konsole, mlterm, Apple Terminal) must get logical order: reordering
there would reverse the text twice. Most others (xterm, tmux's own rendering, the
Linux console, many emulators) print code points left to right as they come, so
Arabic shows up backwards with unjoined letters; for them the text is shaped
(arabic-reshaper: presentation forms) and reordered (python-bidi: visual order).

Only what is printed for a human passes through here: stored text, citations and
--json output never do (their offsets are into the logical text).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

RTL_MODES = ("auto", "on", "off")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class RtlChoice:
    shape: bool  # True: shape and reorder Arabic before printing
    reason: str  # what decided it, shown by /model

    def describe(self) -> str:
        return f"{'on (shaped and reordered for display)' if self.shape else 'off (logical order)'}: {self.reason}"


def choose_rtl(mode: str, is_terminal: bool, environ: Mapping[str, str] | None = None) -> RtlChoice:
    """`on`, `off`, or for `auto` a guess from the terminal's variables (`environ`: Settings.terminal)."""
    env = environ or {}
    mode = (mode or "auto").strip().lower()
    if mode not in RTL_MODES:
        from rag.errors import ConfigError

        raise ConfigError(f"--rtl / RAG_RTL must be one of {', '.join(RTL_MODES)}, got {mode!r}")
    if mode == "on":
        return RtlChoice(True, "asked for (--rtl on)")
    if mode == "off":
        return RtlChoice(False, "asked for (--rtl off)")
    if not is_terminal:
        return RtlChoice(False, "auto: output is not a terminal")
    for variable, terminal in (
        ("VTE_VERSION", "a VTE terminal (GNOME Terminal, Tilix, …)"),
        ("KONSOLE_VERSION", "Konsole"),
        ("MLTERM", "mlterm"),
    ):
        if env.get(variable):
            return RtlChoice(False, f"auto: {terminal} does BiDi itself (${variable} is set)")
    program = env.get("TERM_PROGRAM", "")
    if program == "Apple_Terminal":
        return RtlChoice(False, "auto: Apple Terminal does BiDi itself")
    if (env.get("TERM") or "").startswith("mlterm"):
        return RtlChoice(False, "auto: mlterm does BiDi itself (TERM)")
    seen = program or env.get("TERM") or "unknown terminal"
    return RtlChoice(True, f"auto: {seen} is not known to do BiDi")


def has_arabic(text: str) -> bool:
    return _ARABIC.search(text) is not None


def visual_line(line: str) -> str:
    """One display line in visual order with joined letter forms (no wrapping)."""
    if not has_arabic(line):
        return line
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(line))


def visual_text(text: str, width: int) -> str:
    """Wrap to `width` first, then reorder each line: reordering a paragraph and letting the
    terminal wrap it would put its end on the first screen line."""
    if not has_arabic(text):
        return text
    lines = []
    for paragraph in text.split("\n"):
        wrapped = textwrap.wrap(paragraph, width=max(20, width), break_long_words=False) or [""]
        lines.extend(visual_line(line) for line in wrapped)
    return "\n".join(lines)
