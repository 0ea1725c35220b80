"""Constants and small helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
SEED_HEADLINE = "البنتاغون ينتقد موسكو ويستبعد تعاونًا عسكريًا معها في سوريا"
