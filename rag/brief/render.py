"""A briefing as files: Markdown, one self-contained HTML page, and the JSON document.

The HTML page fetches nothing (inline CSS, no scripts, no fonts or images; a
Content-Security-Policy forbids any load as a second line of defence) and
every article- or model-derived string goes through `html.escape`: titles and
quotes come from scraped news and must never become markup. Citation markers
link to a per-story sources list where each entry shows the exact quoted span
with its doc_id and offsets; `:target` highlights the entry a marker points to.
A summary made of quoted clauses is itself the evidence: its source entries
then give the article, doc_id and offsets without printing the same words a
second time. Opinion and features have their own section; what was withheld
(an English half that did not verify) is said where it is missing.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from rag.brief.briefing import Briefing, StoryBrief
from rag.records import Citation
from rag.text.lang import script_counts

TOOLTIP_CHARS = 300
NO_ENGLISH_HEADLINE = "(no verified English headline)"  # the translation failed verification or was never made
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")

CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #dadce0; --mark: #fff1a8; --accent: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; color: var(--ink); background: #fff;
       font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Sans", "DejaVu Sans", Tahoma, sans-serif;
       line-height: 1.7; }
[lang="en"] { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
header.briefing { border-bottom: 3px solid var(--ink); margin-bottom: 1.5rem; }
header.briefing h1 { margin: 0; font-size: 1.9rem; }
.meta { color: var(--muted); font-size: .95rem; }
.meta span + span::before { content: " · "; }
nav.toc ol { padding-inline-start: 1.5rem; }
nav.toc a { color: var(--accent); text-decoration: none; }
section.story { border-bottom: 1px solid var(--line); padding-bottom: 1rem; margin-bottom: 1.5rem; }
section.story:target { background: #f6f9fe; }
.story h2 { margin: .2rem 0 0; font-size: 1.5rem; }
.story h3.en { margin: .1rem 0 .4rem; font-size: 1.1rem; color: var(--muted); font-weight: 600; }
.outlets { font-size: .9rem; color: var(--muted); }
.outlets .outlet { display: inline-block; border: 1px solid var(--line); border-radius: .8rem;
                   padding: 0 .55rem; margin: 0 .15rem; unicode-bidi: isolate; }
.summary { margin: .6rem 0; }
.summary p { margin: .25rem 0; }
.summary.ar { font-size: 1.1rem; }
a.cite { color: var(--accent); text-decoration: none; font-size: .8em; vertical-align: super; unicode-bidi: isolate; }
.cite.missing { color: #b3261e; font-size: .8em; vertical-align: super; }
.sources h4, .articles h4 { margin: .8rem 0 .2rem; font-size: 1rem; }
ol.sources-list, ol.articles-list { padding-inline-start: 1.5rem; margin: 0; }
ol.sources-list li { margin: .4rem 0; padding: .2rem .5rem; border-radius: .3rem; }
ol.sources-list li:target { background: var(--mark); outline: 2px solid #e0b400; }
blockquote.quote { margin: .1rem 0; padding: .1rem .8rem; border-inline-start: 4px solid var(--line); }
.source-meta { font-size: .85rem; color: var(--muted); }
.source-meta code { font-size: .85rem; unicode-bidi: isolate; }
.articles-list { font-size: .9rem; }
section.more ol { padding-inline-start: 1.5rem; }
section.more li { margin: .35rem 0; }
section.more .ar, section.more .en, section.more .outlets { display: block; }
section.more .en { color: var(--muted); }
.missing-text { color: var(--muted); font-style: italic; }
.story-meta { font-size: .85rem; color: var(--muted); }
.badge { display: inline-block; border-radius: .3rem; padding: 0 .4rem; background: #e8f0fe; color: var(--accent); }
.summary.quoted p { border-inline-start: 3px solid var(--line); padding-inline-start: .6rem; }
p.withheld { font-size: .85rem; color: var(--muted); font-style: italic; }
.in-summary { color: var(--muted); font-size: .85rem; }
section.opinion ol { padding-inline-start: 1.5rem; }
section.opinion li { margin: .35rem 0; }
section.opinion .ar, section.opinion .en, section.opinion .outlets { display: block; }
section.opinion .en { color: var(--muted); }
footer { color: var(--muted); font-size: .85rem; margin-top: 2rem; }
"""


# -- shared helpers ------------------------------------------------------------


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """The url when it is an http(s) url, else None (no javascript:, data:, file: hrefs)."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def lang_attrs(text: str) -> str:
    """lang/dir attributes for a piece of text of unknown language (titles, quotes).

    The majority script decides, not a dominance threshold: an Arabic sentence
    quoting a few English names or acronyms is still read right-to-left.
    """
    arabic, latin = script_counts(text)
    if arabic == latin == 0:
        return 'dir="auto"'
    return 'lang="ar" dir="rtl"' if arabic >= latin else 'lang="en" dir="ltr"'


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def count_articles(story: StoryBrief) -> str:
    n = len(story.doc_ids)
    return f"{n} article" if n == 1 else f"{n} articles"


def citation_anchor(story_index: int, n: int) -> str:
    return f"s{story_index}-c{n}"


def story_anchor(story_index: int) -> str:
    return f"s{story_index}"


# -- HTML ----------------------------------------------------------------------


def briefing_html(b: Briefing) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ar" dir="rtl">',
        "<head>",
        '<meta charset="utf-8">',
        # Nothing may load: no network, no scripts; inline styles only.
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>الموجز اليومي · Daily briefing {esc(b.date)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        _html_header(b),
    ]
    if b.stories:
        parts.append(_html_toc(b.stories, has_more=bool(b.more_stories), has_opinion=bool(b.opinion)))
    for i, story in enumerate(b.stories, 1):
        parts.append(_html_story(i, story))
    if b.more_stories:
        parts.append(_html_more(b.more_stories))
    if b.opinion:
        parts.append(_html_more(b.opinion, section="opinion"))
    parts.append(
        f'<footer lang="en" dir="ltr">Generated by rag with {esc(b.model)}'
        + (f" in {b.seconds:.0f} s" if b.seconds else "")
        + ". Every summary sentence cites exact spans of "
        "the stored articles; follow a marker to see the quoted text.</footer>"
    )
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def covered(b: Briefing) -> str:
    """The dates (and window, with its time zone) the briefing covers, in words."""
    dates = b.dates or [b.date]
    text = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    if b.window:
        text += f" (window {b.window['from']} – {b.window['to']}, {b.window['tz']})"
    return text


def _html_header(b: Briefing) -> str:
    total = len(b.stories) + len(b.more_stories) + len(b.opinion)
    return (
        '<header class="briefing">\n'
        f'<h1><span lang="ar" dir="rtl">الموجز اليومي</span> · <span lang="en" dir="ltr">Daily briefing</span></h1>\n'
        '<p class="meta" lang="en" dir="ltr">'
        f'<span class="date"><time datetime="{esc(b.date)}">{esc(b.date)}</time></span>'
        f'<span class="covers">covers {esc(covered(b))}</span>'
        f'<span class="articles">{b.articles} articles</span>'
        f'<span class="stories">{total} stories ({len(b.stories)} summarized)</span>'
        f'<span class="model">model: {esc(b.model)}</span></p>\n'
        "</header>"
    )


def _html_toc(stories: list[StoryBrief], has_more: bool, has_opinion: bool = False) -> str:
    items = []
    for i, story in enumerate(stories, 1):
        ar = story.headline.get("ar", "")
        items.append(f'<li><a href="#{story_anchor(i)}" {lang_attrs(ar)}>{esc(ar)}</a></li>')
    more = '<p><a href="#more">أخبار أخرى · <span lang="en" dir="ltr">More stories</span></a></p>' if has_more else ""
    if has_opinion:
        more += '<p><a href="#opinion">رأي ومنوعات · <span lang="en" dir="ltr">Opinion &amp; features</span></a></p>'
    return '<nav class="toc">\n<ol>\n' + "\n".join(items) + "\n</ol>\n" + more + "\n</nav>"


def _html_headlines(story: StoryBrief, level: int) -> str:
    ar, en = story.headline.get("ar", ""), story.headline.get("en", "")
    en_html = esc(en) if en else '<span class="missing-text">' + esc(NO_ENGLISH_HEADLINE) + "</span>"
    ar_attrs = lang_attrs(ar) if ar else 'lang="ar" dir="rtl"'
    return (
        f'<h{level} class="ar" {ar_attrs}>{esc(ar)}</h{level}>\n'
        f'<h{level + 1} class="en" lang="en" dir="ltr">{en_html}</h{level + 1}>'
    )


def _html_outlets(sources: list[str]) -> str:
    pills = "".join(f'<span class="outlet" dir="auto">{esc(s)}</span>' for s in sources)
    return f'<p class="outlets"><span lang="ar">المصادر</span> / <span lang="en">Outlets</span>: {pills}</p>'


def _html_marker(story_index: int, n: int, by_n: dict[int, Citation]) -> str:
    citation = by_n.get(n)
    if citation is None:  # never expected: summaries are verified; show it, but link nowhere
        return f'<span class="cite missing" dir="ltr">[{esc(n)}]</span>'
    quote = one_line(citation.quote)
    if len(quote) > TOOLTIP_CHARS:
        quote = quote[:TOOLTIP_CHARS] + "…"
    tooltip = (
        f"{quote} — {one_line(citation.title) or citation.doc_id} ({citation.doc_id} {citation.start}-{citation.end})"
    )
    return f'<a class="cite" dir="ltr" href="#{citation_anchor(story_index, n)}" title="{esc(tooltip)}">[{esc(n)}]</a>'


def _html_summary(story_index: int, story: StoryBrief, lang: str, by_n: dict[int, Citation]) -> str:
    attrs = 'lang="ar" dir="rtl"' if lang == "ar" else 'lang="en" dir="ltr"'
    sentences = getattr(story, lang)
    if not sentences:
        return ""
    paras = []
    for sentence in sentences:
        markers = "".join(_html_marker(story_index, int(n), by_n) for n in sentence.get("citations", []))
        paras.append(f"<p>{esc(sentence.get('text', ''))} {markers}</p>")
    quoted = " quoted" if lang == "ar" and all(_is_quote(s, by_n) for s in sentences) else ""
    return f'<div class="summary {lang}{quoted}" {attrs}>\n' + "\n".join(paras) + "\n</div>"


def _is_quote(sentence: dict, by_n: dict[int, Citation]) -> bool:
    """The summary sentence is its citation's exact words (a quoted clause)."""
    cited = [by_n.get(int(n)) for n in sentence.get("citations", [])]
    return len(cited) == 1 and cited[0] is not None and one_line(cited[0].quote) == one_line(sentence.get("text"))


def quoted_in_summary(story: StoryBrief) -> set[int]:
    """Citation numbers whose quote the Arabic summary already prints word for word."""
    texts = {one_line(s.get("text")) for s in story.ar}
    return {c.n for c in story.citations if one_line(c.quote) in texts}


def _html_withheld(story: StoryBrief) -> str:
    reason = story.withheld.get("en")
    if not reason:
        return ""
    return f'<p class="withheld" lang="en" dir="ltr">English withheld: {esc(reason)}.</p>'


def _html_story_meta(story: StoryBrief) -> str:
    parts = [f'<span class="kind">{esc(story.kind)}</span>', f'<span class="score">score {story.score:.2f}</span>']
    if story.section:
        parts.append(f'<span class="section">{esc(story.section)}</span>')
    if story.continuing:
        parts.append(f'<span class="badge continuing">continuing from yesterday ({esc(story.continuing)})</span>')
    if story.duplicates:
        parts.append(
            f'<span class="duplicates">{sum(len(g) for g in story.duplicates)} copies of one wire text merged</span>'
        )
    return '<p class="story-meta" lang="en" dir="ltr">' + " · ".join(parts) + "</p>"


def _html_sources(story_index: int, citations: list[Citation], in_summary: set[int] = frozenset()) -> str:
    if not citations:
        return ""
    items = []
    for c in citations:
        url = safe_url(c.url)
        title = esc(one_line(c.title) or c.doc_id)
        title_html = f'<a href="{esc(url)}" rel="noopener noreferrer nofollow">{title}</a>' if url else title
        meta = [
            f"<span {lang_attrs(c.title or '')}>{title_html}</span>",
            f'<code dir="ltr">{esc(c.doc_id)}</code>',
            f'<span dir="ltr">chars {c.start}–{c.end}</span>',
        ]
        if c.date:
            meta.append(f'<span dir="ltr">{esc(c.date)}</span>')
        if c.url and not url:
            meta.append(f'<span dir="ltr">{esc(c.url)}</span>')
        quote = (
            '<span class="in-summary" lang="en" dir="ltr">(the summary line above, word for word)</span>'
            if c.n in in_summary
            else f'<blockquote class="quote" {lang_attrs(c.quote)}>{esc(c.quote)}</blockquote>'
        )
        items.append(
            f'<li id="{citation_anchor(story_index, c.n)}" value="{c.n}">'
            f"{quote}"
            f'<div class="source-meta">[{c.n}] ' + " · ".join(meta) + "</div></li>"
        )
    return (
        '<div class="sources">\n<h4><span lang="ar">المصادر المقتبسة</span> / '
        '<span lang="en" dir="ltr">Quoted sources</span></h4>\n'
        '<ol class="sources-list">\n' + "\n".join(items) + "\n</ol>\n</div>"
    )


def _html_articles(titles: list[dict]) -> str:
    if not titles:
        return ""
    items = []
    for t in titles:
        title = one_line(t.get("title")) or t.get("doc_id", "")
        url = safe_url(t.get("url"))
        title_html = f'<a href="{esc(url)}" rel="noopener noreferrer nofollow">{esc(title)}</a>' if url else esc(title)
        items.append(
            f"<li><span {lang_attrs(title)}>{title_html}</span> "
            f'<span class="source-meta" dir="ltr">({esc(t.get("source") or "")} '
            f"<code>{esc(t.get('doc_id', ''))}</code>)</span></li>"
        )
    return (
        '<div class="articles">\n<h4><span lang="ar">المقالات</span> / <span lang="en" dir="ltr">Articles</span>'
        '</h4>\n<ol class="articles-list">\n' + "\n".join(items) + "\n</ol>\n</div>"
    )


def _html_story(i: int, story: StoryBrief) -> str:
    by_n = {c.n: c for c in story.citations}
    blocks = [
        f'<section class="story" id="{story_anchor(i)}">',
        _html_headlines(story, 2),
        _html_outlets(story.sources),
        _html_story_meta(story),
        _html_summary(i, story, "ar", by_n),
        _html_summary(i, story, "en", by_n),
        _html_withheld(story),
        _html_sources(i, story.citations, quoted_in_summary(story)),
        _html_articles(story.titles),
        "</section>",
    ]
    return "\n".join(block for block in blocks if block)


def _html_more(stories: list[StoryBrief], section: str = "more") -> str:
    items = []
    for story in stories:
        ar, en = story.headline.get("ar", ""), story.headline.get("en", "")
        en_html = esc(en) if en else '<span class="missing-text">' + esc(NO_ENGLISH_HEADLINE) + "</span>"
        outlets = "".join(f'<span class="outlet" dir="auto">{esc(s)}</span>' for s in story.sources)
        ar_attrs = lang_attrs(ar) if ar else 'dir="auto"'
        items.append(
            f'<li><span class="ar" {ar_attrs}>{esc(ar)}</span>'
            f'<span class="en" lang="en" dir="ltr">{en_html}</span>'
            f'<span class="outlets">{outlets} <span lang="en" dir="ltr">· {count_articles(story)}'
            f"{' · ' + esc(story.kind) if section == 'opinion' else ''}</span>"
            "</span></li>"
        )
    if section == "opinion":
        heading = (
            '<h2><span lang="ar" dir="rtl">رأي ومنوعات</span> / '
            '<span lang="en" dir="ltr">Opinion &amp; features</span></h2>'
        )
    else:
        heading = '<h2><span lang="ar" dir="rtl">أخبار أخرى</span> / <span lang="en" dir="ltr">More stories</span></h2>'
    return f'<section class="{section}" id="{section}">\n{heading}\n<ol>\n' + "\n".join(items) + "\n</ol>\n</section>"


# -- Markdown ------------------------------------------------------------------


def md(text: object) -> str:
    """Article text as one Markdown line that renders literally (no HTML, links or emphasis)."""
    return _MD_SPECIAL.sub(r"\\\1", one_line("" if text is None else str(text)))


def briefing_markdown(b: Briefing) -> str:
    total = len(b.stories) + len(b.more_stories) + len(b.opinion)
    lines = [
        f"# الموجز اليومي · Daily briefing — {md(b.date)}",
        "",
        f"{b.articles} articles · {total} stories ({len(b.stories)} summarized) · model: {md(b.model)}",
        "",
        f"Covers {md(covered(b))}",
        "",
    ]
    for i, story in enumerate(b.stories, 1):
        lines += _md_story(i, story)
    for heading, stories, show_kind in (
        ("## أخبار أخرى / More stories", b.more_stories, False),
        ("## رأي ومنوعات / Opinion & features", b.opinion, True),
    ):
        if not stories:
            continue
        lines += [heading, ""]
        for i, story in enumerate(stories, 1):
            en = md(story.headline.get("en", "")) or f"_{NO_ENGLISH_HEADLINE}_"
            lines.append(f"{i}. {md(story.headline.get('ar', ''))}  ")
            lines.append(f"   {en}  ")
            kind = f" · {md(story.kind)}" if show_kind else ""
            lines.append(f"   Outlets: {', '.join(md(s) for s in story.sources)} · {count_articles(story)}{kind}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_story_meta(story: StoryBrief) -> str:
    parts = [md(story.kind), f"score {story.score:.2f}"] + ([md(story.section)] if story.section else [])
    if story.continuing:
        parts.append(f"continuing from yesterday ({md(story.continuing)})")
    if story.duplicates:
        parts.append(f"{sum(len(g) for g in story.duplicates)} copies of one wire text merged")
    return "_" + " · ".join(parts) + "_"


def _md_story(i: int, story: StoryBrief) -> list[str]:
    en = md(story.headline.get("en", "")) or f"_{NO_ENGLISH_HEADLINE}_"
    lines = [
        f"## {i}. {md(story.headline.get('ar', ''))}",
        "",
        f"**{en}**" if story.headline.get("en") else en,
        "",
        f"المصادر / Outlets: {', '.join(md(s) for s in story.sources)}",
        "",
        _md_story_meta(story),
        "",
    ]
    for lang, heading in (("ar", "### العربية"), ("en", "### English")):
        sentences = getattr(story, lang)
        if not sentences:
            continue
        lines += [heading, ""]
        for sentence in sentences:
            markers = "".join(f"[{int(n)}]" for n in sentence.get("citations", []))
            lines.append(f"- {md(sentence.get('text', ''))} {markers}".rstrip())
        lines.append("")
    if story.withheld.get("en"):
        lines += [f"_English withheld: {md(story.withheld['en'])}._", ""]
    in_summary = quoted_in_summary(story)
    if story.citations:
        lines += ["### المصادر المقتبسة / Quoted sources", ""]
        for c in story.citations:
            meta = [md(c.title) or md(c.doc_id), f"`{c.doc_id.replace('`', '')}`", f"chars {c.start}–{c.end}"]
            if c.date:
                meta.append(md(c.date))
            url = safe_url(c.url)
            if url and not re.search(r"[\s<>]", url):
                meta.append(f"<{url}>")
            elif c.url:
                meta.append(md(c.url))
            lines.append(f"[{c.n}] " + " · ".join(meta))
            lines.append("")
            if c.n not in in_summary:  # a quoted summary clause is not printed twice
                lines.append(f"> {md(c.quote)}")
                lines.append("")
    if story.titles:
        lines += ["### المقالات / Articles", ""]
        for t in story.titles:
            lines.append(
                f"- {md(t.get('title')) or md(t.get('doc_id'))} ({md(t.get('source') or '')} "
                f"`{str(t.get('doc_id', '')).replace('`', '')}`)"
            )
        lines.append("")
    return lines


# -- files ---------------------------------------------------------------------


def write_briefing(b: Briefing, out_dir: str | Path) -> list[Path]:
    """Write briefing-DATE.md, .html and .json into out_dir; the paths written, in that order.

    The three files are written into a temporary folder beside out_dir (same file
    system) and then renamed into place, so a run killed while writing never
    leaves a half-written file, nor a new .md beside an old .html.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"briefing-{b.date}"
    texts = {
        f"{stem}.md": briefing_markdown(b),
        f"{stem}.html": briefing_html(b),
        f"{stem}.json": json.dumps(b.to_json(), ensure_ascii=False, indent=2) + "\n",
    }
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name or 'out'}-{stem}.", dir=folder.resolve().parent))
    try:
        for name, text in texts.items():
            with open(staging / name, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        for name in texts:
            os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in texts]
