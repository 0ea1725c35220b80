"""What kind of piece an article is: hard news, opinion, feature or service item.

A briefing ranks the day's events first; columns, explainers and notices go
after them (opinion in its own section). The kind is read from what the article
itself shows, never from a model:

- opinion: a byline formula ("بقلم", "كتب فلان:"), a disclaimer that the piece
  is its writer's view ("تمثل رأي كتابها", "لا تعكس بالضرورة"), a "رأي:" title,
  an opinion section in the url, or a reprinted column ("نقلاً عن …" at the end);
  weaker, and only together: first-person writing, an exclamatory title;
- feature: explainers and question headlines ("ما هي …؟", "كيف …؟"), picture,
  video and infographic items, press reviews, reports ("ريبورتاج");
- service: job adverts, opening hours, weather, prayer times, horoscopes;
- news: everything else, with a hardness in [0, 1] from the signals of a
  report of an event: an event word, a number, a weekday or today's date, a
  reporting verb or wire dateline, a named place or body.

The section (sport, culture, …) comes from the source when it has one: ANT
records carry it in their id ("AL-sport-12-20180312") and most outlets in the
url path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from rag.records import Article
from rag.text.gazetteer import gazetteer

NEWS, OPINION, FEATURE, SERVICE = "news", "opinion", "feature", "service"
LEAD_CHARS = 600  # where bylines, datelines and the key facts of a report stand

# -- opinion ------------------------------------------------------------------
_OPINION_DISCLAIMER = re.compile(
    r"تمثل رأي (?:كتابها|كاتبها|الكاتب)|(?:يعبر|تعبر|يعبّر|تعبّر) عن (?:رأي|وجهة نظر) (?:الكاتب|كاتبه|كاتبها|صاحب)"
    r"|لا (?:تعكس|يعكس) بالضرورة|الآراء الواردة|وجهة نظر الكاتب|رأي الكاتب"
)
_BYLINE = re.compile(r"^\W{0,3}(?:مقال\s+)?(?:بقلم|كتب|كتبت)\s*[:：]?\s*\S+|(?:المقال|هذا المقال)\s+بقلم")
_REPRINT = re.compile(
    r"^\W{0,3}نقلا?ً?\s*عن\s+[^\n]{2,50}$", re.MULTILINE
)  # "*نقلاً عن الأهرام المصرية", a line of its own
_OPINION_TITLE = re.compile(r"^\s*(?:رأي|مقال|وجهة نظر|عمود)\s*[:|：-]|\bيكتب\s+(?:ل|لـ)")
_OPINION_URL = re.compile(
    r"(?:^|[/_-])(?:opinion|opinions|views|columns?|columnists?|blogs?|editorial|maqalat|"
    r"articles-of-opinion)(?:$|[/_.-])",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"(?<!\w)(?:أنا|نحن|أعتقد|أظن|برأيي|في رأيي|أرى أن|لنا|علينا|إننا|أننا|لست|كنت)(?!\w)")

# -- features and service items ---------------------------------------------
_QUESTION_OPENER = re.compile(
    r"^\s*(?:ما\s+(?:هي|هو|هما|الذي|الذى|سر|حقيقة)|ماذا|كيف|لماذا|من\s+(?:هو|هي|هم|هما)|"
    r"هل|متى|أين|إلى أين|كم)(?!\w)"
)
_FEATURE_TITLE = re.compile(
    r"^\s*(?:شاهد|بالصور|بالفيديو|فيديو|صور|انفوجرافيك|إنفوجرافيك|إنفوغرافيك|انفوغرافيك|"
    r"ريبورتاج|تقرير مصور|وقفة مع الحدث|الصحف العالمية|تعرف على|بالأرقام)(?!\w)"
    r"|في أرقام\s*$|\bفي عيد ميلاده"
)
_FEATURE_URL = re.compile(
    r"(?:^|[/_-])(?:video|videos|photos?|gallery|infographics?|features?|reportage|ريبورتاج|"
    r"الصحف-العالمية|وقفة-مع-الحدث|social-media)(?:$|[/_-])",
    re.IGNORECASE,
)
_SERVICE = re.compile(
    r"(?<!\w)(?:وظائف|وظيفة شاغرة|مطلوب للعمل|فرص عمل|للتقديم|ساعات (?:العمل|الدوام)|مواعيد (?:العمل|الدوام|العيادات)|"
    r"أوقات الدوام|حالة الطقس|الطقس (?:اليوم|غدا)|درجات الحرارة المتوقعة|مواقيت الصلاة|"
    r"حظك اليوم|الأبراج|أسعار العملات اليوم)(?!\w)"
)

# -- hard news ------------------------------------------------------------------
_EVENT = re.compile(
    r"(?<!\w)[وفب]?(?:مقتل|قتل|قتلى|قتيلا?|يقتل|تقتل|إصابة|جرحى|اعتقال|اعتقل|توقيف|اختطاف|تخطف|يخطف|هجوم|هجمات|"
    r"انفجار|تفجير|غارة|غارات|ضربة|قصف|اشتباكات?|معارك|معركة|تحطم|سقوط|زلزال|حريق|فيضانات?|إعصار|"
    r"أعلن|أعلنت|يعلن|تعلن|إعلان|أكد|أكدت|نفى|نفت|ينفي|تنفي|حذر|حذرت|يحذر|تحذر|دعا|دعت|يدعو|تدعو|طالب|"
    r"طالبت|وقع|وقعت|توقيع|اتفاق|اتفاقا|اتفاقية|قرار|قرارا|مشروع قرار|فيتو|النقض|تصويت|يصوت|انتخابات|استقالة|"
    r"يستقيل|استقال|إقالة|يقيل|عقوبات|حكم|الحكم|محاكمة|أدان|تدين|يأمر|أمر|زيارة|يزور|يلتقي|التقى|يستقبل|"
    r"استقبل|قمة|اجتماع|مظاهرات|احتجاجات?|يتظاهرون|إطلاق|أطلق|أطلقت|ارتفاع|انخفاض|تراجع|هبوط|انهيار)(?!\w)"
)
_REPORTING = re.compile(
    r"(?<!\w)(?:وقال|وقالت|قال|قالت|وأضاف|وأضافت|وأكد|وأكدت|وذكرت|ذكرت|وأفادت|أفادت|"
    r"وأوضح|وأوضحت|بحسب|وفقا|نقلت|وكالة|مصادر|مصدر|المتحدث|متحدث|بيان)(?!\w)"
)
_DATELINE = re.compile(
    r"^[^\n]{0,60}\((?:CNN|رويترز|أ ف ب|أ\.ف\.ب|فرانس برس|د ب أ|واس|أ ب|سكاي نيوز عربية|AFP|Reuters)\)", re.IGNORECASE
)
_WEEKDAY = re.compile(r"(?<!\w)[وفب]?(?:ال)?(?:أحد|اثنين|إثنين|ثلاثاء|أربعاء|خميس|جمعة|سبت|اليوم|أمس|مساء|صباح)(?!\w)")
_NUMBER = re.compile(r"\d|(?<!\w)(?:عشرات|مئات|آلاف|ألف|مليون|مليار|ملايين)(?!\w)")
_ARABIC_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "إبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)

# Sections that hold soft news (sport results, celebrity and gadget stories): still news, ranked below the day's events.
SOFT_SECTIONS = {
    "sport": "sport",
    "sports": "sport",
    "culture": "culture",
    "culture-and-art": "culture",
    "art-and-culture": "culture",
    "technology": "technology",
    "tech": "technology",
    "science-and-tech": "technology",
    "lifestyle": "lifestyle",
    "variety": "lifestyle",
    "entertainment": "culture",
}
_SECTION_WORDS = {
    "internationalnews": "world",
    "world": "world",
    "middleeast": "middle-east",
    "middle-east": "middle-east",
    "arab-and-world": "world",
    "economy": "economy",
    "business": "economy",
    "aswaq": "economy",
    **SOFT_SECTIONS,
}


@dataclass(frozen=True)
class ArticleKind:
    kind: str  # news | opinion | feature | service
    section: str | None  # from the source (id or url), when it says
    hardness: float  # share of hard-news signals present, in [0, 1]
    signals: tuple[str, ...] = field(default=())  # what decided, for --json

    @property
    def soft(self) -> bool:
        return self.section in set(SOFT_SECTIONS.values())


def article_section(article: Article) -> str | None:
    """The section the source filed the article under: ANT ids carry it, most urls too."""
    origin = article.origin or ""
    match = re.match(r"^id:[A-Za-z]+-([A-Za-z]+)-\d+-\d{8}$", origin)
    if match and match.group(1).lower() in _SECTION_WORDS:
        return _SECTION_WORDS[match.group(1).lower()]
    path = unquote(urlparse(article.url or "").path).lower()
    for part in path.split("/"):
        stem = re.sub(r"-\d+$", "", part)
        if stem in _SECTION_WORDS:
            return _SECTION_WORDS[stem]
    return None


def opinion_signals(article: Article) -> list[str]:
    """Strong signs that the piece is a column or op-ed (any one suffices)."""
    lead, tail = article.text[:LEAD_CHARS], article.text[-300:]
    found = []
    if _OPINION_DISCLAIMER.search(lead) or _OPINION_DISCLAIMER.search(tail):
        found.append("writer's-view disclaimer")
    if _BYLINE.search(lead):
        found.append("byline")
    if _OPINION_TITLE.search(article.title):
        found.append("opinion title")
    if _OPINION_URL.search(unquote(urlparse(article.url or "").path)):
        found.append("opinion url")
    if _REPRINT.search(tail):
        found.append("reprinted column")
    return found


def first_person_rate(text: str) -> float:
    """First-person words per 100 words: reports rarely speak as 'we' or 'I' outside quotes."""
    words = len(text.split())
    without_quotes = re.sub(r"[\"«“][^\"»”]{0,300}[\"»”]", " ", text)
    return 100.0 * len(_FIRST_PERSON.findall(without_quotes)) / max(words, 1)


def news_signals(article: Article) -> list[str]:
    head = f"{article.title}\n{article.text[:LEAD_CHARS]}"
    found = []
    if _EVENT.search(head):
        found.append("event")
    if _NUMBER.search(head):
        found.append("number")
    if _WEEKDAY.search(head) or any(m in head for m in _ARABIC_MONTHS):
        found.append("date")
    if _REPORTING.search(head) or _DATELINE.search(article.text):
        found.append("reporting")
    if gazetteer().find(head):
        found.append("named place or body")
    return found


def classify(article: Article) -> ArticleKind:
    section = article_section(article)
    news = news_signals(article)
    hardness = len(news) / 5.0
    strong = opinion_signals(article)
    if strong:
        return ArticleKind(OPINION, section, hardness, tuple(strong))
    title = article.title.strip()
    if _SERVICE.search(title) or _SERVICE.search(article.text[:200]):
        return ArticleKind(SERVICE, section, hardness, ("service notice",))
    feature = []
    if _FEATURE_TITLE.search(title):
        feature.append("feature title")
    if _QUESTION_OPENER.search(title) and title.rstrip().endswith(("؟", "?")):
        feature.append("question headline")
    if _FEATURE_URL.search(unquote(urlparse(article.url or "").path)):
        feature.append("feature url")
    if feature:
        return ArticleKind(FEATURE, section, hardness, tuple(feature))
    weak = []
    rate = first_person_rate(article.text)
    if rate >= 1.0:
        weak.append(f"first person ({rate:.1f} per 100 words)")
    if re.search(r"[!！]\s*$", title):
        weak.append("exclamatory title")
    if len(weak) >= 2 or (weak and hardness <= 0.4):
        return ArticleKind(OPINION, section, hardness, tuple(weak))
    return ArticleKind(NEWS, section, hardness, tuple(news))
