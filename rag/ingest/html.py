"""Article text from an HTML page: the body text, without navigation or scripts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

_DROP = (
    "script, style, noscript, template, svg, nav, header, footer, aside, form, iframe, button, menu, figure figcaption"
)
_BLOCKS = frozenset("p div li h1 h2 h3 h4 h5 h6 blockquote pre td th tr br section article main dd dt".split())
_SPACES = re.compile(r"[ \t\u00a0\u200f\u200e]+")


@dataclass(frozen=True)
class HtmlArticle:
    title: str | None
    text: str
    date: str | None
    url: str | None


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text)


def extract_html(html: str) -> HtmlArticle:
    tree = HTMLParser(html)
    title = _meta(tree, "og:title") or _first_text(tree, "h1") or _first_text(tree, "title")
    date = _meta(tree, "article:published_time") or _attr(tree, "time[datetime]", "datetime")
    url = _meta(tree, "og:url") or _attr(tree, "link[rel=canonical]", "href")
    for node in tree.css(_DROP):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    lines: list[str] = []
    _collect_lines(root, lines, [])
    text = "\n".join(line for line in lines if line)
    return HtmlArticle(title=title, text=text, date=date, url=url)


def _collect_lines(root: Node, lines: list[str], current: list[str]) -> None:
    """Walk the tree once, breaking lines at block elements, so paragraphs stay paragraphs.

    Iterative, with an explicit stack: a page of 50,000 nested elements must not
    hit Python's recursion limit.
    """
    stack: list[tuple[str, Node]] = [("open", root)]
    while stack:
        event, node = stack.pop()
        if event == "text":
            current.append(node.text_content or "")
            continue
        if node.tag in _BLOCKS:
            _flush(lines, current)  # a block starts and ends a line
        if event == "close":
            continue
        stack.append(("close", node))
        children = list(node.iter(include_text=True))
        stack.extend(("text" if child.tag == "-text" else "open", child) for child in reversed(children))
    _flush(lines, current)


def _flush(lines: list[str], current: list[str]) -> None:
    line = _SPACES.sub(" ", "".join(current)).strip()
    current.clear()
    if line:
        lines.append(line)


def _meta(tree: HTMLParser, prop: str) -> str | None:
    node = tree.css_first(f'meta[property="{prop}"]') or tree.css_first(f'meta[name="{prop}"]')
    value = node.attributes.get("content") if node else None
    return value.strip() if value and value.strip() else None


def _attr(tree: HTMLParser, selector: str, name: str) -> str | None:
    node = tree.css_first(selector)
    value = node.attributes.get(name) if node else None
    return value.strip() if value else None


def _first_text(tree: HTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    text = _SPACES.sub(" ", node.text(separator=" ")).strip() if node else ""
    return text or None
