"""Remove site chrome from article text: repeated headlines and sign-up calls.

News pages copied as text often end with the page's headline (sometimes twice),
a kicker line, and newsletter / app / account prompts. Three general rules:

1. A line is a *call to action* when it is short and matches sign-up, newsletter,
   app-download or follow-us phrasing (Arabic or English).
2. A line is a *repeated headline* when it is short, has no sentence ending, and
   its normalized form equals the title or another line of the page.
3. The *trailing zone* (short, unpunctuated lines after the last body
   paragraph) is dropped whole when it holds any line of kind 1 or 2: a kicker
   between two copies of the headline is page chrome too.

Body paragraphs are never touched by rule 3, and a title-like line inside the
body is removed only when it duplicates the title.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rag.text.arabic import normalize

_MAX_CHROME_CHARS = 200
_CALL_TO_ACTION = re.compile(
    "|".join(
        [
            r"لم تشترك",
            r"اشترك (?:الآن|معنا|في (?:النشرة|القائمة|خدمة|قناة))",
            r"إشترك (?:الآن|معنا)",
            r"سجل الدخول",
            r"تسجيل الدخول",
            r"انشئ حساب",
            r"أنشئ حساب",
            r"إنشاء حساب",
            r"النشرة البريدية",
            r"نشرات?نا البريدية",
            r"النشرات البريدية",
            r"القائمة البريدية",
            r"حمل(?:وا)? تطبيق",
            r"حمّل تطبيق",
            r"نزّ?ل(?:وا)? تطبيق",
            r"تطبيق .{0,30}(?:للهواتف|الذكية|على)",
            r"تحميل .{0,40}تطبيق",
            r"إشعارات",
            r"تابعونا",
            r"تابعوا .{0,20}(?:على|عبر)",
            r"تابع(?:نا)? على",
            r"شارك(?:وا)? (?:هذا|المقال)",
            r"جميع الحقوق محفوظة",
            r"اقرأ أيضا",
            r"اقرأ أيضاً",
            r"إقرأ أيضا",
            r"\bsign up\b",
            r"\bsubscribe\b",
            r"\bnewsletter",
            r"\bcreate (?:an|your) account",
            r"\blog ?in\b",
            r"\bdownload (?:our|the) app",
            r"\bfollow us\b",
            r"\ball rights reserved",
            r"\bread more\b",
            r"\bshare this\b",
            r"\bclick here\b",
        ]
    ),
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?؟…][\"'»”)]*\s*$")


@dataclass(frozen=True)
class CleanText:
    text: str
    title_hint: str | None  # a headline found in the chrome, if any
    removed_lines: int


def _key(line: str) -> str:
    return re.sub(r"\W+", " ", normalize(line)).strip()


def _is_call_to_action(line: str) -> bool:
    return len(line) <= _MAX_CHROME_CHARS and bool(_CALL_TO_ACTION.search(line))


def _is_short_unpunctuated(line: str) -> bool:
    return len(line) <= _MAX_CHROME_CHARS and not _SENTENCE_END.search(line)


def remove_boilerplate(text: str, title: str | None = None) -> CleanText:
    raw_lines = text.splitlines(keepends=True)
    lines = [line.strip() for line in raw_lines]
    keys = [_key(line) for line in lines]
    counts = Counter(k for k in keys if k)
    title_key = _key(title) if title else None

    zone_start = _trailing_zone_start(lines)
    lead_end = _leading_zone_end(lines)

    def repeated_headline(i: int) -> bool:
        # A repeated short line is chrome only outside the body (a subheading may
        # legitimately repeat); inside the body only a copy of the title is.
        if not keys[i] or not _is_short_unpunctuated(lines[i]):
            return False
        in_chrome_zone = i >= zone_start or i < lead_end
        return keys[i] == title_key or (in_chrome_zone and counts[keys[i]] > 1)

    # Calls to action count only outside the body: a news sentence may well mention an app.
    chrome = {
        i
        for i, line in enumerate(lines)
        if line and (repeated_headline(i) or (_is_call_to_action(line) and (i >= zone_start or i < lead_end)))
    }
    if any(i >= zone_start for i in chrome):
        chrome.update(range(zone_start, len(lines)))

    title_hint = next(
        (lines[i] for i in sorted(chrome) if counts[keys[i]] > 1 and not _is_call_to_action(lines[i])), None
    )
    kept: list[str] = []
    seen_body = set()
    for i, line in enumerate(lines):
        if i in chrome:
            continue
        # A repeated body paragraph (the same text pasted twice) is kept once.
        if len(line) > _MAX_CHROME_CHARS and keys[i] in seen_body:
            chrome.add(i)
            continue
        seen_body.add(keys[i])
        kept.append(raw_lines[i])
    # Original line content and separators are kept as they were; only whole lines go.
    return CleanText(text="".join(kept).strip(), title_hint=title_hint, removed_lines=len(chrome))


def _is_chrome_candidate(line: str) -> bool:
    return not line or _is_short_unpunctuated(line) or _is_call_to_action(line)


def _leading_zone_end(lines: list[str]) -> int:
    i = 0
    while i < len(lines) and _is_chrome_candidate(lines[i]):
        i += 1
    return i


def _trailing_zone_start(lines: list[str]) -> int:
    i = len(lines)
    while i > 0 and _is_chrome_candidate(lines[i - 1]):
        i -= 1
    return i
