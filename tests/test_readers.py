import json
from pathlib import Path

import pytest

from rag.ingest.readers import ArticleDraft, _parse_date, read_file, read_paths
from rag.records import Rejection


def read_all(*paths: Path) -> tuple[list[ArticleDraft], list[Rejection]]:
    items = list(read_paths(list(paths)))
    drafts = [i for i in items if isinstance(i, ArticleDraft)]
    rejections = [i for i in items if isinstance(i, Rejection)]
    assert len(drafts) + len(rejections) == len(items)
    return drafts, rejections


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- .txt --------------------------------------------------------------------


def test_txt_headline_first_line_is_title(tmp_path):
    path = write(
        tmp_path / "a.txt", "Storm hits the coast\nA powerful storm hit the coast on Monday.\nPower returned.\n"
    )
    [draft] = list(read_file(path))
    assert draft.title == "Storm hits the coast"
    assert draft.text == "A powerful storm hit the coast on Monday.\nPower returned."
    assert draft.origin == f"file:{path.resolve()}"


def test_txt_first_paragraph_is_not_taken_as_title(tmp_path):
    path = write(tmp_path / "b.txt", "A powerful storm hit the coast on Monday, officials said.\nPower returned.\n")
    [draft] = list(read_file(path))
    assert draft.text.startswith("A powerful storm hit the coast on Monday")  # first paragraph kept in the text
    assert draft.title


def test_txt_arabic_headline(tmp_path):
    path = write(tmp_path / "c.txt", "العاصفة تضرب الساحل\nضربت عاصفة قوية الساحل يوم الاثنين.\n")
    [draft] = list(read_file(path))
    assert draft.title == "العاصفة تضرب الساحل"
    assert draft.text == "ضربت عاصفة قوية الساحل يوم الاثنين."


def test_crlf_newlines_normalized(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes(b"Headline here\r\nFirst line of body.\r\nSecond line.\r\n")
    [draft] = list(read_file(path))
    assert "\r" not in draft.text
    assert draft.text == "First line of body.\nSecond line."


# -- .md ---------------------------------------------------------------------


def test_markdown_front_matter(tmp_path):
    path = write(
        tmp_path / "a.md",
        '---\ntitle: "Front matter title"\ndate: 2018-04-07T10:00:00Z\n'
        "source: reuters\nurl: https://example.com/x\n---\n"
        "Body paragraph one is here.\nBody paragraph two.\n",
    )
    [draft] = list(read_file(path))
    assert draft.title == "Front matter title"
    assert draft.date == "2018-04-07"
    assert draft.source == "reuters"
    assert draft.url == "https://example.com/x"
    assert draft.text == "Body paragraph one is here.\nBody paragraph two."


def test_markdown_hash_title(tmp_path):
    path = write(tmp_path / "b.md", "# Heading title\n\nBody paragraph one is here.\n")
    [draft] = list(read_file(path))
    assert draft.title == "Heading title"
    assert draft.text == "Body paragraph one is here."


def test_source_argument_overrides(tmp_path):
    path = write(tmp_path / "c.md", "---\nsource: reuters\n---\n# T\n\nBody text.\n")
    [draft] = list(read_file(path, source="bbc"))
    assert draft.source == "bbc"


# -- .html -------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>Site | Page</title>
<meta property="og:title" content="OG Title">
<meta property="article:published_time" content="2016-08-23T09:00:00+03:00">
<link rel="canonical" href="https://example.com/a">
<script>var secret = "SCRIPTTEXT";</script><style>.x{color:red}</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World NAVTEXT</a></nav><header>HEADERTEXT</header>
<article><h1>Article H1</h1><p>First paragraph of the article text.</p>
<p>Second <b>bold</b> paragraph.</p><script>alert("SCRIPT2")</script></article>
<aside>ASIDETEXT</aside><footer>FOOTERTEXT all rights reserved</footer></body></html>"""


def test_html_article(tmp_path):
    [draft] = list(read_file(write(tmp_path / "a.html", PAGE)))
    assert draft.title == "OG Title"
    assert "First paragraph of the article text.\nSecond bold paragraph." in draft.text
    for junk in ("SCRIPTTEXT", "SCRIPT2", "NAVTEXT", "HEADERTEXT", "FOOTERTEXT", "ASIDETEXT", "color:red", "secret"):
        assert junk not in draft.text
    assert draft.date == "2016-08-23"
    assert draft.url == "https://example.com/a"


def test_html_title_from_h1(tmp_path):
    page = (
        "<html><head><script>document.write('JS')</script></head><body><h1>Only H1</h1><p>Para one here.</p>"
        "<script>track('SCRIPTTEXT')</script></body></html>"
    )
    [draft] = list(read_file(write(tmp_path / "b.htm", page)))
    assert draft.title == "Only H1"
    assert draft.text == "Para one here."


def test_html_inside_txt_is_detected(tmp_path):
    [draft] = list(read_file(write(tmp_path / "c.txt", PAGE)))
    assert draft.title == "OG Title"
    assert "SCRIPTTEXT" not in draft.text


def test_html_without_text_rejected(tmp_path):
    [item] = list(
        read_file(write(tmp_path / "d.html", "<html><body><nav>Home</nav><script>x()</script></body></html>"))
    )
    assert isinstance(item, Rejection)
    assert item.location.endswith("d.html")


# -- .json / .jsonl ----------------------------------------------------------


def test_json_object(tmp_path):
    record = {"title": "T1", "text": "Body one.", "date": "2018-04-07T12:34:56Z", "source": "bbc", "url": "https://u"}
    [draft] = list(read_file(write(tmp_path / "a.json", json.dumps(record))))
    assert (draft.title, draft.text, draft.date, draft.source, draft.url) == (
        "T1",
        "Body one.",
        "2018-04-07",
        "bbc",
        "https://u",
    )


def test_json_list_with_bad_records(tmp_path):
    records = [
        {"title": "A", "text": "Alpha text."},
        {"title": "B"},
        {"title": "C", "text": "Gamma text."},
        5,
        {"title": "E", "text": "   "},
        {"title": 7, "text": "Bad title."},
    ]
    drafts, rejections = read_all(write(tmp_path / "b.json", json.dumps(records)))
    assert [d.title for d in drafts] == ["A", "C"]
    reasons = {r.location.rsplit("b.json", 1)[1]: r.reason for r in rejections}
    assert set(reasons) == {"[1]", "[3]", "[4]", "[5]"}
    assert "text" in reasons["[1]"] and "text" in reasons["[4]"]
    assert "title" in reasons["[5]"]


def test_json_articles_key(tmp_path):
    data = {"articles": [{"title": "A", "text": "Alpha rose."}, {"title": "B", "text": "Beta fell."}]}
    drafts, rejections = read_all(write(tmp_path / "c.json", json.dumps(data)))
    assert [d.title for d in drafts] == ["A", "B"] and not rejections


def test_json_invalid_reports_line(tmp_path):
    [item] = list(read_file(write(tmp_path / "d.json", '[\n{"title": "A",\n "text": oops}\n]')))
    assert isinstance(item, Rejection)
    assert item.location.endswith("d.json:3")
    assert "invalid JSON" in item.reason


def test_jsonl_broken_line_rejected_others_kept(tmp_path):
    lines = [
        '{"id": "1", "title": "L1", "text": "Line one body."}',
        '{"title": broken',
        "",
        '{"id": "3", "title": "L3", "text": "Line three body.", "date": "2016-08-23T22:15:00+03:00"}',
        '{"id": "4", "title": "L4"}',
        '["not", "an", "object"]',
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    drafts, rejections = read_all(path)
    assert [(d.title, d.origin, d.date) for d in drafts] == [("L1", "id:1", None), ("L3", "id:3", "2016-08-23")]
    by_location = {r.location: r.reason for r in rejections}
    assert set(by_location) == {f"{path}:2", f"{path}:5", f"{path}:6"}
    assert by_location[f"{path}:2"].startswith("invalid JSON")
    assert str(Rejection(f"{path}:2", by_location[f"{path}:2"])).startswith(f"{path}:2: invalid JSON")
    assert "text" in by_location[f"{path}:5"]


def test_jsonl_records_without_id_are_identified_by_content_only(tmp_path):
    # A line number is no identity: inserting a line must not make a record "replace" its neighbour.
    path = write(
        tmp_path / "feed.jsonl",
        '{"title": "A", "text": "Alpha rose."}\n{"id": "b1", "title": "B", "text": "Beta fell."}\n',
    )
    drafts, _ = read_all(path)
    assert [d.origin for d in drafts] == [None, "id:b1"]


def test_jsonl_html_record(tmp_path):
    record = {
        "title": "From record",
        "text": "<html><body><nav>NAV</nav><p>Article body here.</p></body></html>",
        "url": "https://r",
    }
    [draft] = list(read_file(write(tmp_path / "h.jsonl", json.dumps(record) + "\n")))
    assert draft.title == "From record"
    assert draft.text == "Article body here."
    assert draft.url == "https://r"


def test_empty_jsonl_rejected(tmp_path):
    [item] = list(read_file(write(tmp_path / "e.jsonl", "\n\n")))
    assert isinstance(item, Rejection) and "empty" in item.reason


# -- files, folders, errors --------------------------------------------------


def test_unsupported_suffix_reported(tmp_path):
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "noext").write_text("text")
    drafts, rejections = read_all(tmp_path)
    assert not drafts
    assert {Path(r.location).name for r in rejections} == {"doc.pdf", "noext"}
    assert all("unsupported file type" in r.reason for r in rejections)


def test_missing_path_reported(tmp_path):
    [item] = list(read_paths([tmp_path / "nope.txt"]))
    assert isinstance(item, Rejection) and "no such file" in item.reason


def test_folder_is_recursive_sorted_and_skips_hidden(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "b.txt", "B title\nBeta body.")
    write(tmp_path / "a.txt", "A title\nAlpha body.")
    write(tmp_path / ".hidden.txt", "H title\nHidden body.")
    drafts, rejections = read_all(tmp_path)
    assert [d.title for d in drafts] == ["A title", "B title"]
    assert not rejections


def test_binary_and_empty_files_rejected_with_reason(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    drafts, rejections = read_all(tmp_path)
    assert not drafts
    reasons = {Path(r.location).name: r.reason for r in rejections}
    assert reasons["empty.txt"] == "empty file"
    assert "PNG" in reasons["image.txt"]


def test_boilerplate_only_file_rejected(tmp_path):
    [item] = list(read_file(write(tmp_path / "chrome.txt", "Subscribe to our newsletter\nDownload our app\n")))
    assert isinstance(item, Rejection)
    assert "boilerplate" in item.reason


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2016-08-23", "2016-08-23"),
        ("2016-08-23T09:00:00+03:00", "2016-08-23"),
        ("2018-04-07T12:34:56Z", "2018-04-07"),
        ("2018-4-7 08:00", "2018-04-07"),
        ("07/04/2018", "2018-04-07"),
        ("2018/04/07", "2018-04-07"),
        ("Sat, 07 Apr 2018 10:00:00 +0000", "2018-04-07"),
        ("7 April 2018", "2018-04-07"),
        ("April 7, 2018", "2018-04-07"),
        ("2018-02-30", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        (20180407, None),
    ],
)
def test_parse_date(value, expected):
    assert _parse_date(value) == expected
