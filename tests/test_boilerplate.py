import pytest

from helpers import SEED_FILES, SEED_HEADLINE
from rag.ingest.boilerplate import remove_boilerplate
from rag.ingest.readers import read_file

SEED_KICKER = "الخارجية: لن نستمر في مناقشات إلى أجل غير مسمى"
SEED_CHROME = [SEED_HEADLINE, SEED_KICKER, "لم تشترك بعد", "انشئ حساباً خاصاً بك"]
BBC_APP_LINE = "يمكنكم تسلم إشعارات بأهم الموضوعات بعد تحميل أحدث نسخة من تطبيق بي بي سي عربي على هاتفكم المحمول."


@pytest.fixture(scope="module")
def seed_text() -> str:
    assert SEED_FILES, "no seed article under seeds/"
    return SEED_FILES[0].read_text(encoding="utf-8")


def body_paragraphs(raw: str) -> list[str]:
    """The seed's body: every line before the first copy of the headline."""
    lines = [line.strip() for line in raw.splitlines()]
    return [line for line in lines[: lines.index(SEED_HEADLINE)] if line]


def test_seed_loses_trailing_chrome(seed_text):
    cleaned = remove_boilerplate(seed_text)
    for chrome in SEED_CHROME:
        assert chrome not in cleaned.text
    assert "تشترك" not in cleaned.text
    assert cleaned.removed_lines == 5


def test_seed_keeps_every_body_paragraph_verbatim(seed_text):
    cleaned = remove_boilerplate(seed_text)
    body = body_paragraphs(seed_text)
    assert len(body) == 11
    assert cleaned.text == "\n".join(body)


def test_seed_headline_becomes_title_hint(seed_text):
    assert remove_boilerplate(seed_text).title_hint == SEED_HEADLINE


def test_seed_file_reader_uses_headline_as_title():
    [draft] = list(read_file(SEED_FILES[0]))
    assert draft.title == SEED_HEADLINE
    assert "لم تشترك" not in draft.text
    assert draft.text.endswith("في موسكو الشهر الماضي».")


ENGLISH_PAGE = """\
A powerful storm hit the northern coast on Monday, flooding hundreds of homes, officials said.
Residents were told to stay indoors. The city launched a new app that shows shelter locations, and officials urged people to download the app to stay informed.
Power was restored to most districts by the evening, the utility company said.
Storm floods the northern coast
Subscribe to our newsletter
Download our app
"""


def test_english_trailing_calls_to_action_removed():
    cleaned = remove_boilerplate(ENGLISH_PAGE)
    assert "Subscribe" not in cleaned.text
    assert "Download our app" not in cleaned.text
    assert "Storm floods the northern coast" not in cleaned.text
    assert cleaned.text.endswith("the utility company said.")


def test_app_mentioned_mid_article_is_kept():
    cleaned = remove_boilerplate(ENGLISH_PAGE)
    assert "urged people to download the app to stay informed." in cleaned.text
    assert cleaned.text.startswith("A powerful storm hit")


def test_arabic_app_mention_mid_article_is_kept():
    text = (
        "قال مسؤولون إن العاصفة ضربت الساحل يوم الاثنين.\n"
        "وأطلقت البلدية تطبيقا جديدا على الهواتف الذكية يعرض أماكن الإيواء، ودعت السكان إلى تحميل التطبيق.\n"
        "وعادت الكهرباء إلى معظم الأحياء مساء، بحسب شركة الكهرباء.\n"
    )
    assert remove_boilerplate(text).text == text.strip()


def test_bbc_app_notification_line_removed():
    body = (
        "قال مسؤولون إن العاصفة ضربت الساحل الشمالي يوم الاثنين وأغرقت مئات المنازل.\n"
        "وعادت الكهرباء إلى معظم الأحياء مساء، بحسب شركة الكهرباء."
    )
    cleaned = remove_boilerplate(body + "\n" + BBC_APP_LINE + "\n")
    assert cleaned.text == body


def test_leading_call_to_action_removed():
    text = "اشترك في النشرة البريدية\nقال مسؤولون إن العاصفة ضربت الساحل يوم الاثنين.\nوعادت الكهرباء مساء."
    assert remove_boilerplate(text).text == "قال مسؤولون إن العاصفة ضربت الساحل يوم الاثنين.\nوعادت الكهرباء مساء."


def test_duplicate_of_title_removed_but_other_short_lines_kept():
    text = "Storm hits coast\nA storm hit the coast on Monday.\nBy Jane Doe\nPower returned in the evening."
    cleaned = remove_boilerplate(text, title="Storm hits coast")
    assert cleaned.text == "A storm hit the coast on Monday.\nBy Jane Doe\nPower returned in the evening."


def test_repeated_long_paragraph_kept_once():
    paragraph = "A" + " long paragraph about the harbour expansion plans and their cost to the city." * 4
    text = f"{paragraph}\nSecond paragraph, different.\n{paragraph}"
    assert remove_boilerplate(text).text.count(paragraph) == 1


def test_clean_text_unchanged():
    text = "First paragraph of a clean article.\nSecond paragraph, also clean."
    cleaned = remove_boilerplate(text)
    assert cleaned.text == text
    assert cleaned.removed_lines == 0
    assert cleaned.title_hint is None


def test_last_body_paragraph_with_ishtaraka_meaning_participated_is_kept():
    text = (
        "قال مسؤولون إن القوات الحكومية شنت هجوما واسعا على مواقع المسلحين شمال المدينة يوم الاثنين، "
        "وإن الاشتباكات استمرت حتى ساعات المساء.\n"
        "واشترك في الهجوم أكثر من مئة جندي مدعومين بالطائرات."
    )
    assert remove_boilerplate(text).text == text


def test_repeated_subheading_inside_body_is_kept():
    text = (
        "The minister answered questions from readers on Monday, covering the budget and the new port.\n"
        "Budget\n"
        "The minister said the deficit will shrink next year, helped by higher tax revenue.\n"
        "Port\n"
        "The new container port will open in 2019, she said.\n"
        "Budget\n"
        "Asked again about the budget, she said no new taxes were planned."
    )
    cleaned = remove_boilerplate(text, title="Minister answers readers")
    assert cleaned.text == text
    assert cleaned.title_hint is None
