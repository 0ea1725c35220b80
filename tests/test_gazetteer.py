"""The names table: usual English names for places and bodies found in Arabic text."""

from __future__ import annotations

from rag.text.gazetteer import Gazetteer, gazetteer
from rag.translation import names_glossary


def test_names_are_found_through_clitics_and_spelling_variants():
    found = {m.english for m in gazetteer().find("وقال المتحدث باسم البنتاجون إن روسيا وإيران تدعمان النظام بسوريا.")}
    assert {"the Pentagon", "Russia", "Iran", "Syria"} <= found


def test_longest_name_wins_and_each_name_is_listed_once():
    found = [m.english for m in gazetteer().find("أعلنت وزارة الدفاع الأميركية ... وقالت وزارة الدفاع الأميركية")]
    assert found == ["the US Department of Defense"]


def test_words_inside_other_words_are_not_names():
    assert gazetteer().find("الموسكوفي والحلبة") == []


def test_glossary_line_for_a_translator():
    assert names_glossary("قصف في حلب") == "English names: حلب = Aleppo\n\n"
    assert names_glossary("لا أسماء هنا") == ""


def test_a_spelling_listed_twice_is_refused(tmp_path):
    table = tmp_path / "names.tsv"
    table.write_text("Istanbul\tإسطنبول|اسطنبول\n", encoding="utf-8")
    try:
        Gazetteer.from_file(table)
    except ValueError as exc:
        assert "twice" in str(exc)
    else:
        raise AssertionError("duplicate spelling accepted")


def test_english_names_get_their_arabic_spellings():
    found = gazetteer().arabic_words(["pentagon", "spokesman", "united", "states", "isis"])
    assert found["pentagon"] == ["البنتاغون", "البنتاجون"]
    assert "spokesman" not in found
    assert "الولايات" in found["united"] and found["united"] == found["states"]
    assert "داعش" in found["isis"]
