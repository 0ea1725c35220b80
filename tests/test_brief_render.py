"""Briefing files: Markdown, self-contained HTML (escaped, RTL, cited), JSON; the `rag brief` command.

Unit tests build Briefing objects by hand (no LLM, no index). One test renders
the page in real headless Chromium when /usr/bin/chromium exists.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import ROOT
from rag.brief.briefing import Briefing, StoryBrief
from rag.brief.render import briefing_html, briefing_markdown, write_briefing
from rag.records import Citation

CHROMIUM = Path("/usr/bin/chromium")

INJECTED_TITLE = 'وزير الخارجية <script>alert("x")</script> يزور دمشق'
INJECTED_QUOTE = 'قال الوزير <img src=x onerror="alert(1)"> إن المحادثات كانت "بناءة" & مفيدة'
AR_HEADLINE = "البنتاغون ينتقد موسكو ويستبعد تعاونًا عسكريًا معها في سوريا"
EN_HEADLINE = "Pentagon criticizes Moscow and rules out military cooperation in Syria"
AR_SENTENCE_1 = "انتقدت وزارة الدفاع الأمريكية روسيا واستبعدت أي تعاون عسكري معها في سوريا."
AR_SENTENCE_2 = "وقال المتحدث إن الضربات الروسية تستهدف المعارضة المعتدلة."
EN_SENTENCE_1 = "The US Defense Department criticized Russia and ruled out military cooperation in Syria."
EN_SENTENCE_2 = "A spokesman said Russian strikes target the moderate opposition."
QUOTE_1 = "انتقدت وزارة الدفاع الأمريكية (البنتاغون) روسيا، واستبعدت أي تعاون عسكري معها في سوريا"
QUOTE_2 = "وقال المتحدث باسم البنتاغون إن معظم الضربات الروسية تستهدف مناطق لا يوجد فيها تنظيم الدولة"
MORE = [
    ("ارتفاع أسعار القمح في الأسواق المحلية", "Wheat prices rise in local markets", ["alarabiya"]),
    ("فوز فريق المدينة بكأس البطولة", "", ["bbc", "skynews"]),
    ('عنوان <b onmouseover="x()">خطر</b>', "A <script>bad()</script> headline", ["cnn"]),
]


def make_briefing() -> Briefing:
    first = StoryBrief(
        id="s001-abcd1234",
        headline={"ar": AR_HEADLINE, "en": EN_HEADLINE},
        doc_ids=["abcd1234ef", "99887766aa"],
        sources=["bbc", "cnn"],
        ar=[{"text": AR_SENTENCE_1, "citations": [1]}, {"text": AR_SENTENCE_2, "citations": [1, 2]}],
        en=[{"text": EN_SENTENCE_1, "citations": [1]}, {"text": EN_SENTENCE_2, "citations": [2]}],
        citations=[
            Citation(
                1,
                "abcd1234ef",
                120,
                120 + len(QUOTE_1),
                QUOTE_1,
                title=AR_HEADLINE,
                date="2016-08-23",
                url="https://www.bbc.com/arabic/pentagon",
            ),
            Citation(
                2,
                "99887766aa",
                40,
                40 + len(QUOTE_2),
                QUOTE_2,
                title="البنتاغون: الضربات الروسية",
                date="2016-08-23",
                url="javascript:alert(1)",
            ),
        ],
        titles=[
            {
                "doc_id": "abcd1234ef",
                "title": AR_HEADLINE,
                "source": "bbc",
                "url": "https://www.bbc.com/arabic/pentagon",
            },
            {"doc_id": "99887766aa", "title": "البنتاغون: الضربات الروسية", "source": "cnn", "url": None},
        ],
    )
    second = StoryBrief(
        id="s002-5555aaaa",
        headline={"ar": INJECTED_TITLE, "en": 'Minister "visits" <Damascus> & more'},
        doc_ids=["5555aaaa00"],
        sources=["alarabiya"],
        ar=[{"text": "زار الوزير دمشق <script>steal()</script> أمس.", "citations": [1]}],
        en=[{"text": "The minister visited Damascus yesterday.", "citations": [1]}],
        citations=[
            Citation(
                1,
                "5555aaaa00",
                0,
                len(INJECTED_QUOTE),
                INJECTED_QUOTE,
                title=INJECTED_TITLE,
                date="2016-08-23",
                url='https://example.org/a"onclick="x',
            )
        ],
        titles=[{"doc_id": "5555aaaa00", "title": INJECTED_TITLE, "source": "alarabiya", "url": None}],
    )
    more = [
        StoryBrief(
            id=f"s{i:03d}-m",
            headline={"ar": ar, "en": en},
            doc_ids=[f"m{i}"] * len(sources),
            sources=sources,
            titles=[],
        )
        for i, (ar, en, sources) in enumerate(MORE, 3)
    ]
    return Briefing(
        date="2016-08-23",
        articles=42,
        stories=[first, second],
        more_stories=more,
        model="llamacpp:qwen2.5-3b-instruct-q4_k_m",
        seconds=12.5,
    )


class Page(HTMLParser):
    """The parts of an HTML page the tests look at: tags with attributes, ids, links, text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.text_parts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.append(attributes["id"])

    def handle_data(self, data):
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def find(self, tag: str, **attrs: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    return make_briefing()


@pytest.fixture(scope="module")
def page_html(briefing) -> str:
    return briefing_html(briefing)


@pytest.fixture(scope="module")
def page(page_html) -> Page:
    return Page(page_html)


# -- HTML --------------------------------------------------------------------


def test_html_is_rtl_arabic_with_ltr_english_blocks(page_html, page):
    assert '<html lang="ar" dir="rtl">' in page_html
    assert page.find("meta", charset="utf-8")
    ar_blocks = page.find("div", lang="ar", dir="rtl")
    en_blocks = page.find("div", lang="en", dir="ltr")
    assert sum("summary" in b["class"] for b in ar_blocks) == 2
    assert sum("summary" in b["class"] for b in en_blocks) == 2
    assert page.find("h2", **{"class": "ar", "lang": "ar", "dir": "rtl"})
    assert page.find("h3", **{"class": "en", "lang": "en", "dir": "ltr"})
    # Arabic quotes are shown right-to-left.
    assert len(page.find("blockquote", lang="ar", dir="rtl")) == 3


def test_html_header_and_story_content(briefing, page):
    text = page.text
    for expected in (
        "2016-08-23",
        "42 articles",
        "5 stories (2 summarized)",
        "llamacpp:qwen2.5-3b-instruct-q4_k_m",
        AR_HEADLINE,
        EN_HEADLINE,
        AR_SENTENCE_1,
        AR_SENTENCE_2,
        EN_SENTENCE_1,
        EN_SENTENCE_2,
        QUOTE_1,
        QUOTE_2,
        "abcd1234ef",
        "99887766aa",
        "bbc",
        "cnn",
        "alarabiya",
    ):
        assert expected in text, expected
    # Offsets of each quoted span are shown next to it.
    assert f"chars 120–{120 + len(QUOTE_1)}" in text
    assert f"chars 40–{40 + len(QUOTE_2)}" in text


def test_every_citation_marker_links_to_its_quote(briefing, page):
    markers = page.find("a", **{"class": "cite"})
    # Story 1: 3 Arabic + 2 English markers; story 2: 1 + 1.
    assert len(markers) == 7
    ids = set(page.ids)
    assert len(ids) == len(page.ids), "anchor ids must be unique"
    for marker in markers:
        assert marker["href"].startswith("#") and marker["href"][1:] in ids, marker
        assert marker["title"], "each marker carries a tooltip with the quote"
    hrefs = {m["href"] for m in markers}
    assert hrefs == {"#s1-c1", "#s1-c2", "#s2-c1"}
    tooltips = {m["href"]: m["title"] for m in markers}
    assert QUOTE_1 in tooltips["#s1-c1"] and "abcd1234ef 120-" in tooltips["#s1-c1"]
    # Every in-page link (table of contents too) points at an existing anchor.
    for _, attrs in page.tags:
        href = attrs.get("href") or ""
        if href.startswith("#"):
            assert href[1:] in ids, href


def test_internal_links_resolve_without_more_stories(briefing):
    from dataclasses import replace

    page = Page(briefing_html(replace(briefing, more_stories=[])))
    ids = set(page.ids)
    links = [a["href"] for _, a in page.tags if (a.get("href") or "").startswith("#")]
    assert links and all(href[1:] in ids for href in links)
    assert "More stories" not in page.text


def test_injected_markup_in_titles_and_quotes_is_inert(page_html, page):
    # No element or attribute from article text survives as markup.
    assert not [t for t, _ in page.tags if t in ("script", "img", "iframe", "object", "embed", "link", "b")]
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    assert "<script" not in page_html.lower()
    assert "<img" not in page_html.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page_html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page_html
    # ...and it is still shown, as text.
    assert INJECTED_TITLE in page.text
    assert INJECTED_QUOTE in page.text
    assert "A <script>bad()</script> headline" in page.text


def test_only_http_urls_become_links_and_nothing_is_fetched(page_html, page):
    hrefs = [a["href"] for _, a in page.tags if "href" in a]
    external = sorted({h for h in hrefs if not h.startswith("#")})
    assert external == ['https://example.org/a"onclick="x', "https://www.bbc.com/arabic/pentagon"]
    assert "javascript:alert(1)" in page.text  # shown as text, never as a link
    assert not any(h.lower().startswith("javascript:") for h in hrefs)
    # Self-contained: no resource-loading attributes, imports or url() anywhere; a CSP forbids loads.
    assert not [a for _, a in page.tags if "src" in a]
    assert "@import" not in page_html and "url(" not in page_html and "@font-face" not in page_html
    assert not page.find("link")
    csp = page.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert csp and "default-src 'none'" in csp[0]["content"]


def test_more_stories_all_listed_with_both_headlines_and_outlets(page_html, page):
    assert page.find("section", id="more")
    more_part = Page(page_html[page_html.index('<section class="more" id="more">') :]).text
    assert "أخبار أخرى / More stories" in more_part
    assert more_part.count("article") >= len(MORE)
    for ar, en, sources in MORE:
        assert ar in more_part
        if en:
            assert en in more_part
        for source in sources:
            assert source in more_part
    assert "(no verified English headline)" in more_part


# -- Markdown ----------------------------------------------------------------


def test_markdown_content_citations_and_sources(briefing):
    text = briefing_markdown(briefing)
    assert text.startswith("# الموجز اليومي · Daily briefing — 2016-08-23\n")
    assert "42 articles · 5 stories (2 summarized) · model: llamacpp:qwen2.5-3b-instruct-q4\\_k\\_m" in text
    assert f"## 1. {AR_HEADLINE}" in text and f"**{EN_HEADLINE}**" in text
    assert f"- {AR_SENTENCE_2} [1][2]" in text
    assert f"- {EN_SENTENCE_2} [2]" in text
    assert f"> {QUOTE_1}" in text and f"> {QUOTE_2}" in text
    assert (
        f"[1] {AR_HEADLINE} · `abcd1234ef` · chars 120–{120 + len(QUOTE_1)} · 2016-08-23 · "
        "<https://www.bbc.com/arabic/pentagon>" in text
    )
    assert "javascript:alert(1)" in text and "<javascript:" not in text
    assert "## أخبار أخرى / More stories" in text
    for ar, en, sources in MORE[:2]:
        assert ar in text and en in text and ", ".join(sources) in text
    # Every marker in a story has its source entry.
    for story_md in text.split("\n## ")[1:3]:
        used = set(re.findall(r"\[(\d+)\](?!\()", story_md.split("### المصادر المقتبسة")[0]))
        listed = set(re.findall(r"^\[(\d+)\] ", story_md, flags=re.M))
        assert used and used == listed


def test_markdown_escapes_article_markup(briefing):
    text = briefing_markdown(briefing)
    # The only unescaped "<" opens our own autolink to an http(s) url.
    assert set(re.findall(r"(?<!\\)<[^\s]{0,8}", text)) == {"<https://"}
    assert '\\<script\\>alert("x")\\</script\\>' in text
    assert '\\<img src=x onerror="alert(1)"\\>' in text
    assert '\\<b onmouseover="x()"\\>' in text


# -- files -------------------------------------------------------------------


def test_write_briefing_writes_three_files(briefing, tmp_path):
    paths = write_briefing(briefing, tmp_path / "out")
    assert [p.name for p in paths] == ["briefing-2016-08-23.md", "briefing-2016-08-23.html", "briefing-2016-08-23.json"]
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    raw = paths[2].read_text(encoding="utf-8")
    assert AR_HEADLINE in raw and "\\u0627" not in raw  # ensure_ascii=False
    data = json.loads(raw)
    assert data == briefing.to_json()
    assert data["stories"][0]["citations"][0] == {
        "n": 1,
        "doc_id": "abcd1234ef",
        "start": 120,
        "end": 120 + len(QUOTE_1),
        "quote": QUOTE_1,
        "title": AR_HEADLINE,
        "date": "2016-08-23",
        "url": "https://www.bbc.com/arabic/pentagon",
    }
    assert paths[1].read_text(encoding="utf-8") == briefing_html(briefing)


# -- real browser ------------------------------------------------------------


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, env=dict(os.environ, HOME=str(profile)))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)")
def test_chromium_renders_the_page(briefing, tmp_path):
    html_path = write_briefing(briefing, tmp_path / "out")[1]
    shot = tmp_path / "shot.png"
    rendered = _chromium(
        f"--screenshot={shot}",
        "--window-size=1200,1600",
        "--enable-logging=stderr",
        "--v=0",
        html_path.as_uri(),
        profile=tmp_path / "profile-1",
    )
    assert shot.exists(), rendered.stderr[-3000:]
    assert shot.stat().st_size > 10_000
    # Console messages (script errors, CSP refusals of any load) would be logged as CONSOLE lines.
    console = [line for line in rendered.stderr.splitlines() if "CONSOLE" in line or "Refused to" in line]
    assert not console, console

    dumped = _chromium("--dump-dom", html_path.as_uri(), profile=tmp_path / "profile-2")
    assert dumped.returncode == 0, dumped.stderr[-3000:]
    dom = Page(dumped.stdout)
    assert AR_HEADLINE in dom.text and AR_SENTENCE_1 in dom.text and QUOTE_1 in dom.text
    assert INJECTED_TITLE in dom.text
    # The browser built no element from the injected markup.
    assert not [t for t, _ in dom.tags if t in ("script", "img")]
    assert not [a for _, a in dom.tags if any(k.startswith("on") for k in a)]
    if os.environ.get("RAG_KEEP_SCREENSHOT"):
        Path(os.environ["RAG_KEEP_SCREENSHOT"]).write_bytes(shot.read_bytes())


# -- the command -------------------------------------------------------------


def test_cli_brief_without_articles_is_one_error_line(rag_home, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env["RAG_HOME"] = str(rag_home)
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli.main", "brief", "--date", "2099-01-01", "--out", str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: no articles dated 2099-01-01"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() or not any(out.iterdir())


class FakeRag:
    def __init__(self, briefing: Briefing):
        self.briefing = briefing
        self.calls: list[tuple] = []

    def brief(
        self,
        date,
        top=10,
        progress=None,
        log=None,
        dates=None,
        window=None,
        previous=None,
        budget=40,
        listed_english=20,
    ):
        self.calls.append((date, top, budget, dates))
        log("story 1/2 summarized: [bold]not markup[/bold]")
        progress("listing")
        return self.briefing


@pytest.mark.parametrize("as_json", [False, True])
def test_cli_brief_writes_files_and_reports(briefing, tmp_path, monkeypatch, as_json):
    from typer.testing import CliRunner

    import rag.cli.main as cli

    fake = FakeRag(briefing)
    monkeypatch.setattr(cli, "open_app", lambda: fake)
    out = tmp_path / "out"
    args = ["brief", "--date", "2016-08-23", "--out", str(out), "--top", "2", "--words", "30"]
    result = CliRunner().invoke(cli.app, args + (["--json"] if as_json else []))
    assert result.exit_code == 0, result.output
    assert fake.calls == [("2016-08-23", 2, 30, ["2016-08-23"])]
    names = sorted(p.name for p in out.iterdir())
    assert names == ["briefing-2016-08-23.html", "briefing-2016-08-23.json", "briefing-2016-08-23.md"]
    assert "story 1/2 summarized: [bold]not markup[/bold]" in result.stderr
    assert str(out / "briefing-2016-08-23.html") in result.stderr
    assert (
        "2 stories summarized (0 from cache), 3 more and 0 opinion/features listed, from 42 articles" in result.stderr
    )
    if as_json:
        assert json.loads(result.stdout) == briefing.to_json()
    else:
        assert result.stdout == ""


# -- the editor's sections: ranking reasons, quoted clauses, withheld English, opinion ---------------

CLAUSE_1 = "أعلنت الشرطة في النمسا مقتل رجل بالرصاص بعد أن هاجم بسكين جنديا يحرس مقر إقامة السفير الإيراني"
CLAUSE_2 = "وقالت الشرطة إن الجندي أصيب بجروح طفيفة"
OPINION_TITLE = "يا خسارة الفلوس!"


def make_editor_briefing() -> Briefing:
    start_2 = 300
    quoted = StoryBrief(
        id="s001-vienna00",
        headline={"ar": "هجوم بسكين أمام مقر إقامة سفير إيران في فيينا", "en": ""},
        doc_ids=["vienna0001", "vienna0002"],
        sources=["bbc", "<script>x</script>"],
        ar=[{"text": CLAUSE_1, "citations": [1]}, {"text": CLAUSE_2, "citations": [2]}],
        en=[{"text": "Austrian police said the soldier was slightly wounded.", "citations": [2]}],
        citations=[
            Citation(1, "vienna0001", 0, len(CLAUSE_1), CLAUSE_1, title="هجوم فيينا", date="2018-03-12"),
            Citation(2, "vienna0002", start_2, start_2 + len(CLAUSE_2), CLAUSE_2, title="فيينا", date="2018-03-12"),
        ],
        titles=[{"doc_id": "vienna0001", "title": "هجوم فيينا", "source": "BBC", "url": None}],
        kind="news",
        score=9.0,
        section="world",
        signals={"outlets": 2},
        withheld={
            "en": "headline: no translation verified against the Arabic; 1 of 2 clauses: no translation "
            "verified against its source"
        },
        duplicates=[["vienna0001", "vienna0002"]],
        continuing="s003-yesterday",
    )
    opinion = StoryBrief(
        id="s050-op",
        headline={"ar": OPINION_TITLE, "en": ""},
        doc_ids=["op1"],
        sources=["alarabia"],
        kind="opinion",
        score=2.1,
        withheld={"en": "no English headline"},
    )
    feature = StoryBrief(
        id="s051-ft",
        headline={"ar": "بالصور.. اليابان تواجه رعب التسونامي", "en": "Japan, in pictures"},
        doc_ids=["ft1"],
        sources=["skynews"],
        kind="feature",
        score=1.0,
    )
    return Briefing(
        date="2018-03-12",
        articles=193,
        stories=[quoted],
        more_stories=[],
        opinion=[opinion, feature],
        model="llamacpp:qwen2.5-0.5b",
        dates=["2018-03-11", "2018-03-12"],
        window={"from": "2018-03-11T06:00+03:00", "to": "2018-03-12T06:00+03:00", "tz": "Asia/Riyadh"},
    )


def test_quoted_summary_is_not_printed_twice():
    b = make_editor_briefing()
    page = Page(briefing_html(b))
    assert page.text.count(CLAUSE_1) == 1 and page.text.count(CLAUSE_2) == 1  # once, as the summary line
    assert not page.find("blockquote")  # no second copy under "Quoted sources"
    assert page.text.count("(the summary line above, word for word)") == 2
    assert page.find("div", **{"class": "summary ar quoted", "lang": "ar", "dir": "rtl"})
    markdown = briefing_markdown(b)
    assert markdown.count(CLAUSE_1) == 1 and "> " + CLAUSE_1 not in markdown
    # Each marker still links to its source entry with doc_id and offsets.
    assert {m["href"] for m in page.find("a", **{"class": "cite"})} == {"#s1-c1", "#s1-c2"}
    assert f"chars 0–{len(CLAUSE_1)}" in page.text


def test_ranking_reasons_withheld_english_continuing_and_window_are_shown():
    b = make_editor_briefing()
    text = Page(briefing_html(b)).text
    for expected in (
        "news · score 9.00 · world",
        "continuing from yesterday (s003-yesterday)",
        "2 copies of one wire text merged",
        "English withheld: headline: no translation verified",
        "covers 2018-03-11 to 2018-03-12 (window 2018-03-11T06:00+03:00 – 2018-03-12T06:00+03:00, Asia/Riyadh)",
        "(no verified English headline)",
    ):
        assert expected in text, expected
    markdown = briefing_markdown(b)
    assert "_English withheld: headline: no translation verified" in markdown
    assert "Covers 2018-03-11 to 2018-03-12" in markdown and "_news · score 9.00 · world" in markdown


def test_opinion_and_features_have_their_own_section():
    b = make_editor_briefing()
    html_text = briefing_html(b)
    page = Page(html_text)
    assert page.find("section", id="opinion") and not page.find("section", id="more")
    part = Page(html_text[html_text.index('<section class="opinion" id="opinion">') :]).text
    assert "رأي ومنوعات / Opinion & features" in part and OPINION_TITLE in part and "Japan, in pictures" in part
    assert "· opinion" in part and "· feature" in part
    assert any(a.get("href") == "#opinion" for _, a in page.tags)
    markdown = briefing_markdown(b)
    assert "## رأي ومنوعات / Opinion & features" in markdown and OPINION_TITLE.replace("!", "!") in markdown
    data = b.to_json()
    assert [s["kind"] for s in data["opinion"]] == ["opinion", "feature"]
    assert data["stories"][0]["outlets"] == 2 and data["stories"][0]["continuing"] == "s003-yesterday"


def test_outlet_with_markup_is_escaped_not_mangled():
    html_text = briefing_html(make_editor_briefing())
    page = Page(html_text)
    assert "<script>x</script>" in page.text  # shown as the outlet's name
    assert "&lt;script&gt;x&lt;/script&gt;" in html_text and "<script" not in html_text.lower()
    assert "\\<script\\>x\\</script\\>" in briefing_markdown(make_editor_briefing())


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)")
def test_chromium_renders_the_editor_sections(tmp_path):
    html_path = write_briefing(make_editor_briefing(), tmp_path / "out")[1]
    shot = tmp_path / "shot.png"
    rendered = _chromium(
        f"--screenshot={shot}",
        "--window-size=1200,1600",
        "--enable-logging=stderr",
        "--v=0",
        html_path.as_uri(),
        profile=tmp_path / "profile-1",
    )
    assert shot.exists() and shot.stat().st_size > 10_000, rendered.stderr[-3000:]
    assert not [line for line in rendered.stderr.splitlines() if "CONSOLE" in line or "Refused to" in line]
    dumped = _chromium("--dump-dom", html_path.as_uri(), profile=tmp_path / "profile-2")
    assert dumped.returncode == 0, dumped.stderr[-3000:]
    dom = Page(dumped.stdout)
    assert dom.find("section", id="opinion") and OPINION_TITLE in dom.text
    assert "English withheld:" in dom.text and "continuing from yesterday" in dom.text
    assert dom.text.count(CLAUSE_1) == 1 and "<script>x</script>" in dom.text
    assert not [t for t, _ in dom.tags if t == "script"]
    assert dom.find("div", **{"class": "summary ar quoted", "lang": "ar", "dir": "rtl"})
    if os.environ.get("RAG_KEEP_SCREENSHOT"):
        Path(os.environ["RAG_KEEP_SCREENSHOT"]).with_suffix(".editor.png").write_bytes(shot.read_bytes())
