"""Behaviour of fanshelf.ingest: decoding, sniffing, plain-text and HTML lines, refusals."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from fanshelf.errors import FanshelfError, InputError, InputTooLarge
from fanshelf.ingest import MAX_POST_BYTES, decode, looks_like_html, read_file, read_post, sanitize_html
from fanshelf.model import Line

PARA = Line("")


def texts(data: bytes | str) -> list[str]:
    return [line.text for line in read_post(data).lines]


# --------------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------------


def test_error_hierarchy_and_exit_codes() -> None:
    assert issubclass(InputError, FanshelfError)
    assert issubclass(InputTooLarge, InputError)
    assert FanshelfError("x").exit_code == 1
    assert InputError("x").exit_code == 2
    assert InputTooLarge("x").exit_code == 3


# --------------------------------------------------------------------------------------------------
# decode
# --------------------------------------------------------------------------------------------------


def test_decode_utf8() -> None:
    assert decode("Zoë’s café\n".encode()) == ("Zoë’s café\n", "utf-8")


def test_decode_utf8_bom() -> None:
    assert decode(b"\xef\xbb\xbfTitle: Kettle") == ("Title: Kettle", "utf-8")


@pytest.mark.parametrize(("bom", "codec", "name"), [
    (b"\xff\xfe", "utf-16-le", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be", "utf-16-be"),
])  # fmt: skip
def test_decode_utf16_boms(bom: bytes, codec: str, name: str) -> None:
    data = bom + "Rating: PG — “ok”\r\nnext".encode(codec)
    assert decode(data) == ("Rating: PG — “ok”\nnext", name)


def test_decode_cp1252_curly_quotes() -> None:
    data = b"\x93Tea?\x94 she asked \x96 it\x92s late\x85"
    text, enc = decode(data)
    assert enc == "windows-1252"
    assert text == "“Tea?” she asked – it’s late…"


def test_decode_cp1252_undefined_byte_falls_back_per_byte() -> None:
    # 0x81 is undefined in cp1252: it becomes U+0081 (a C1 control) and is then removed
    text, enc = decode(b"caf\xe9 \x93x\x94 \x81end")
    assert enc == "windows-1252"
    assert text == "café “x” end"


def test_decode_latin1_accents() -> None:
    text, enc = decode(b"Fianc\xe9e na\xefve Se\xf1or")
    assert enc == "iso-8859-1"
    assert text == "Fiancée naïve Señor"


def test_decode_mostly_utf8_with_a_stray_cp1252_byte() -> None:
    data = "Señor’s “quote” and café ".encode() + b"it\x92s"
    text, enc = decode(data)
    assert enc == "utf-8"
    assert text == "Señor’s “quote” and café it’s"


def test_decode_removes_nul_and_controls_keeps_tab_ff() -> None:
    text, _ = decode(b"a\x00b\x01c\td\x0ce\x07")
    assert text == "abc\td\x0ce"


def test_decode_normalises_newlines() -> None:
    assert decode(b"a\r\nb\rc\nd")[0] == "a\nb\nc\nd"


def test_decode_meta_charset_used_only_when_utf8_fails() -> None:
    valid = '<meta charset="koi8-r"><p>Привет</p>'.encode()
    assert decode(valid) == ('<meta charset="koi8-r"><p>Привет</p>', "utf-8")
    legacy = '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><p>Привет</p>'.encode(
        "koi8-r"
    )
    text, enc = decode(legacy)
    assert enc == "koi8-r"
    assert "Привет" in text


@pytest.mark.parametrize("data", [b"", b"\xff", b"\x00\x00", b"\xfe\xff\x00", bytes(range(256)), b"\xef\xbb"])
def test_decode_never_raises(data: bytes) -> None:
    text, enc = decode(data)
    assert isinstance(text, str) and enc


# --------------------------------------------------------------------------------------------------
# looks_like_html
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "<p>One</p><p>Two</p>",
    "Line one<br>line two",
    "<b>Title:</b> Kettle\n<b>Rating:</b> G",
    "<html><body>x</body></html>",
    "Some text\n<lj-cut text=\"more\">\nmore",
    'See <a href="http://example.com/">this</a>',
    '<div class="x">hi</div>',
    "<i>tilted</i> words",
])  # fmt: skip
def test_looks_like_html_true(text: str) -> None:
    assert looks_like_html(text)


@pytest.mark.parametrize("text", [
    "I <3 this pairing so much",
    "He laughed. <grin> And left. <g>",
    "a < b > c",
    "Title: Kettle\nRating: G\n\nThe story.",
    "x <3 y <3 z",
    "<<<< SPOILERS >>>>",
])  # fmt: skip
def test_looks_like_html_false(text: str) -> None:
    assert not looks_like_html(text)


# --------------------------------------------------------------------------------------------------
# plain text
# --------------------------------------------------------------------------------------------------


def test_plain_lines_collapse_whitespace_and_nbsp() -> None:
    post = read_post("Title:\u00a0 Kettle   Blues \n\tRating :  PG\n\nShe   waited.".encode())
    assert not post.is_html
    assert post.encoding == "utf-8"
    assert post.lines == [
        Line("Title: Kettle Blues", "Title: Kettle Blues"),
        Line("Rating : PG", "Rating : PG"),
        Line(""),
        Line("She waited.", "She waited."),
    ]


def test_plain_html_is_escaped() -> None:
    post = read_post(b"Jack & Ianto <3 forever")
    assert post.lines == [Line("Jack & Ianto <3 forever", "Jack &amp; Ianto &lt;3 forever")]


def test_plain_one_line_per_line_including_blank_runs() -> None:
    assert texts(b"a\n\n\nb") == ["a", "", "", "b"]


@pytest.mark.parametrize(
    "rule",
    [
        "---",
        "***",
        "~~~",
        "___",
        "* * *",
        "-----",
        "~*~",
        "~ * ~",
        "=====",
        "- - - - -",
        "oOo",
        "xXx",
        "+++",
        "#####",
        "*~*~*~*",
    ],
)
def test_plain_rules(rule: str) -> None:
    post = read_post(f"Before\n{rule}\nAfter".encode())
    assert post.lines[1] == Line(rule, rule, rule=True)
    assert not post.lines[0].rule and not post.lines[2].rule


@pytest.mark.parametrize("line", ["...", "--", "--- Part 2 ---", "Oh...", "**bold**", "- item", "*sigh*"])
def test_plain_not_rules(line: str) -> None:
    assert not read_post(f"x\n{line}\ny".encode()).lines[1].rule


@pytest.mark.parametrize(
    "line",
    [
        "( Read more... )",
        "(Cut for length)",
        "( Read more )",
        "[Read more...]",
        "(Fic under the cut)",
        "( Continued under the cut )",
        "( the story )",
    ],
)
def test_plain_cut_text(line: str) -> None:
    post = read_post(f"Summary: x\n{line}\nOnce upon a time".encode())
    assert post.lines[1].cut
    assert post.lines[1].text == line
    assert not post.lines[0].cut and not post.lines[2].cut


@pytest.mark.parametrize(
    "line", ["(He didn't.)", "(Read this later, he thought, and didn't.)", "Read more books."]
)
def test_plain_not_cut(line: str) -> None:
    assert not read_post(f"x\n{line}\ny".encode()).lines[1].cut


def test_plain_yaml_front_matter_left_as_written() -> None:
    src = "---\ntitle: Kettle  Blues\ntags:\n  - angst\n  - fluff\n---\nThe story.\n***\nMore."
    post = read_post(src.encode())
    assert [line.text for line in post.lines[:6]] == [
        "---", "title: Kettle  Blues", "tags:", "  - angst", "  - fluff", "---",
    ]  # fmt: skip
    assert not any(line.rule for line in post.lines[:6])
    assert post.lines[6].text == "The story."
    assert post.lines[7].rule


def test_plain_rule_then_prose_then_rule_is_not_front_matter() -> None:
    post = read_post(b"---\nShe ran, and then she stopped.\n---\nEnd")
    assert post.lines[0].rule and post.lines[2].rule


def test_warnings_for_cp1252_and_nul() -> None:
    post = read_post(b"It\x92s a \x93test\x94 of \x00things, long enough to not look binary at all.")
    assert post.encoding == "windows-1252"
    assert post.lines[0].text == "It’s a “test” of things, long enough to not look binary at all."
    assert "decoded as windows-1252" in post.warnings
    assert "1 NUL byte(s) removed" in post.warnings


def test_empty_input() -> None:
    post = read_post(b"")
    assert post.lines == [] and not post.is_html


def test_str_input() -> None:
    post = read_post("\ufeffTitle: Kettle\r\nx", "pasted")
    assert post.source == "pasted"
    assert post.encoding == "unicode"
    assert texts("\ufeffTitle: Kettle\r\nx") == ["Title: Kettle", "x"]


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------


def test_html_bold_labels_with_br() -> None:
    post = read_post(
        b"<b>Title:</b> Kettle Blues<br />\n<b>Pairing</b>: Jack/Ianto<br/>\n<strong>Rating:</strong>&nbsp;PG<br>"
    )
    assert post.is_html
    assert post.lines == [
        Line("Title: Kettle Blues", "<b>Title:</b> Kettle Blues"),
        Line("Pairing: Jack/Ianto", "<b>Pairing</b>: Jack/Ianto"),
        Line("Rating: PG", "<strong>Rating:</strong> PG"),
    ]


def test_html_paragraphs_and_double_br() -> None:
    src = "<p>One <i>two</i> three.</p>\n\n<p>Four.</p><div>Five<br><br>Six<br> \n <br><br>Seven</div>"
    assert texts(src) == ["One two three.", "", "Four.", "", "Five", "", "Six", "", "Seven"]


def test_html_never_two_empty_lines_and_no_leading_or_trailing_break() -> None:
    lines = read_post(
        "<div><div><p></p><p>A</p></div></div><p></p><p> </p><blockquote><p>B</p></blockquote><br><br><br>"
    ).lines
    assert [line.text for line in lines] == ["A", "", "B"]


def test_html_inline_tags_never_split_a_line() -> None:
    lines = read_post("<p>He <em>really</em> said <b>n<i>o</i></b>, <u>twice</u>.</p>").lines
    assert lines == [
        Line("He really said no, twice.", "He <em>really</em> said <b>n<i>o</i></b>, <u>twice</u>.")
    ]


def test_html_inline_tag_open_across_br_is_reopened() -> None:
    lines = read_post("<p><i>first<br>second</i> plain</p>").lines
    assert lines == [Line("first", "<i>first</i>"), Line("second plain", "<i>second</i> plain")]


def test_html_entities_decoded() -> None:
    lines = read_post("<p>&ldquo;Don&#8217;t,&rdquo; &amp; she&rsquo;s&nbsp;&nbsp;gone &lt;3</p>").lines
    assert lines[0].text == "“Don’t,” & she’s gone <3"
    assert lines[0].html == "“Don’t,” &amp; she’s gone &lt;3"


def test_html_headings() -> None:
    lines = read_post("<h1>Kettle <i>Blues</i></h1><p>Text</p><h3>Part 2</h3>More").lines
    assert lines == [
        Line("Kettle Blues", "Kettle <i>Blues</i>", heading=True),
        PARA,
        Line("Text", "Text"),
        PARA,
        Line("Part 2", "Part 2", heading=True),
        PARA,
        Line("More", "More"),
    ]


def test_html_hr() -> None:
    lines = read_post("<p>Header</p><hr /><p>Story</p>").lines
    assert lines == [
        Line("Header", "Header"),
        PARA,
        Line("---", "<hr>", rule=True),
        PARA,
        Line("Story", "Story"),
    ]


def test_html_text_rule_and_cut_text_are_flagged() -> None:
    lines = read_post("<p>A</p><p>* * *</p><p>B</p><p>( Read more... )</p>").lines
    assert lines[2].rule and lines[2].text == "* * *"
    assert lines[6].cut


def test_html_cut_markers() -> None:
    src = 'Title: X<br><lj-cut text="Read the fic">Story one<br>More</lj-cut><a name="cutid1"></a>Two'
    lines = read_post(src).lines
    assert lines == [
        Line("Title: X", "Title: X"),
        Line("", cut=True),
        Line("Story one", "Story one"),
        Line("More", "More"),
        Line("", cut=True),
        Line("Two", "Two"),
    ]


def test_html_ljuser_span_and_links() -> None:
    src = (
        '<p>By <span class="ljuser" lj:user="tea_lover" style="white-space: nowrap;">'
        '<a href="https://tea-lover.livejournal.com/profile"><img src="https://l-stat.livejournal.net/i.gif" '
        'alt="[info]" width="17" height="17" /></a><a href="https://tea-lover.livejournal.com/"><b>tea_lover</b></a>'
        "</span> for <lj comm=\"kettle_fest\"> and <a href='https://rain-cloud.dreamwidth.org/'>my friend</a>, "
        '<user name="ij_pal">, <a href="http://story-time.insanejournal.com/">story_time</a>. '
        '<a href="https://tea-lover.livejournal.com/1234.html">Part one</a></p>'
    )
    post = read_post(src)
    assert post.lines[0].text == "By tea_lover for kettle_fest and rain_cloud, ij_pal, story_time. Part one"
    assert post.lines[0].html == (
        "By tea_lover for kettle_fest and rain_cloud, ij_pal, story_time. "
        '<a href="https://tea-lover.livejournal.com/1234.html" rel="nofollow noopener">Part one</a>'
    )
    assert post.links == ["tea_lover", "kettle_fest", "rain_cloud", "ij_pal", "story_time", "tea_lover"]


def test_html_old_ljuser_span_without_attribute() -> None:
    src = (
        '<span class="ljuser"><a href="http://www.livejournal.com/userinfo.bml?user=old_timer">'
        '<img src="http://stat.livejournal.com/img/userinfo.gif" alt="[info]"></a>'
        '<a href="http://www.livejournal.com/users/old_timer/"><b>old_timer</b></a></span> wrote'
    )
    post = read_post(src)
    assert post.lines[0].text == "old_timer wrote"
    assert post.links == ["old_timer"]


def test_html_community_path_links() -> None:
    post = read_post('<p>Written for <a href="http://community.livejournal.com/drabble_zone/">here</a>.</p>')
    assert post.lines[0].text == "Written for drabble_zone."
    assert post.links == ["drabble_zone"]


def test_html_storyinfo_comment() -> None:
    src = (
        "<!-- STORYINFO title: Kettle Blues fandom: Torchwood date: 2009-03-01 summary: Tea, rain. wordcount: 1,234 -->"
        "<!-- just a remark -->\n<p>Once upon a time.</p>"
    )
    post = read_post(src)
    assert post.lines == [
        Line(
            "title: Kettle Blues fandom: Torchwood date: 2009-03-01 summary: Tea, rain. wordcount: 1,234",
            "title: Kettle Blues fandom: Torchwood date: 2009-03-01 summary: Tea, rain. wordcount: 1,234",
            origin="comment",
        ),
        PARA,
        Line("Once upon a time.", "Once upon a time."),
    ]


def test_html_multiline_header_comment() -> None:
    src = "<p>Body first.</p>\n<!--\nSTORYINFO\ntitle: Kettle\nrating: G\n-->\n<p>More.</p>"
    lines = read_post(src).lines
    assert lines[:2] == [
        Line("title: Kettle", "title: Kettle", origin="comment"),
        Line("rating: G", "rating: G", origin="comment"),
    ]
    assert [line.text for line in lines[2:]] == ["", "Body first.", "", "More."]


def test_html_dropped_elements_and_warnings() -> None:
    src = (
        "<html><head><title>T</title><style>p{color:red}</style><script>x()</script></head><body>"
        "<p>Kept</p><script>evil()</script><script>more()</script><iframe src='http://x'>frame text</iframe>"
        "<noscript>no</noscript><object><param>obj</object><embed src='y'><template><p>t</p></template>"
        "<p>Also kept</p></body></html>"
    )
    post = read_post(src)
    assert [line.text for line in post.lines] == ["Kept", "", "Also kept"]
    assert "3 script elements removed" in post.warnings
    assert "1 iframe element removed" in post.warnings
    assert not any("head" in w or "title" in w for w in post.warnings)


def test_html_unsafe_attributes_and_links_removed() -> None:
    src = (
        '<p style="color:red" onclick="x()"><a href="javascript:alert(1)">bad</a> '
        '<a href="java&#115;cript:alert(1)">bad2</a> <a href="/rel" class="c" onmouseover="x">rel</a> '
        '<a href="#top">top</a> <a href="mailto:a@b.c">mail</a> <b style="x" onclick="y">b</b> '
        '<img src="http://e.com/i.png" onerror="x()" alt="pic"> <img src="data:image/png;base64,AAA"></p>'
    )
    line = read_post(src).lines[0]
    assert line.text == "bad bad2 rel top mail b"
    assert line.html == (
        'bad bad2 <a href="/rel" rel="nofollow noopener">rel</a> '
        '<a href="#top" rel="nofollow noopener">top</a> '
        '<a href="mailto:a@b.c" rel="nofollow noopener">mail</a> <b>b</b> '
        '<img src="http://e.com/i.png" alt="pic">'
    )


def test_html_table_cells_are_separated() -> None:
    assert texts("<table><tr><td>Title:</td><td>Kettle</td></tr><tr><th>Rating</th><td>G</td></tr></table>") == [
        "Title: Kettle", "", "Rating G",
    ]  # fmt: skip


def test_html_pre_keeps_lines() -> None:
    assert texts("<pre>line one\nline two\n\nline three</pre>") == ["line one", "line two", "", "line three"]


def test_lj_autoformat_post_uses_newlines() -> None:
    src = "<b>Title:</b> Kettle\n<b>Rating:</b> G\n<lj-cut>\nOnce upon a time.\n\nThe <i>end</i>."
    post = read_post(src)
    assert post.is_html
    assert post.lines == [
        Line("Title: Kettle", "<b>Title:</b> Kettle"),
        Line("Rating: G", "<b>Rating:</b> G"),
        Line("", cut=True),
        Line("Once upon a time.", "Once upon a time."),
        PARA,
        Line("The end.", "The <i>end</i>."),
    ]


def test_html_cp1252_bytes() -> None:
    post = read_post(b"<p>\x93Hi,\x94 she said.</p>")
    assert post.encoding == "windows-1252"
    assert post.lines[0].text == "“Hi,” she said."


def test_html_unclosed_and_misnested_tags() -> None:
    lines = read_post("<p><b>bold <i>both</b> italic</i> end<p>next <a href='http://x.org/'>open").lines
    assert lines[0].text == "bold both italic end"
    assert lines[-1].text == "next open"
    assert lines[-1].html == 'next <a href="http://x.org/" rel="nofollow noopener">open</a>'


# --------------------------------------------------------------------------------------------------
# sanitize_html
# --------------------------------------------------------------------------------------------------


def test_sanitize_html_allows_blocks_strips_danger() -> None:
    out = sanitize_html(
        '<div class="x" style="color:red"><h2 onclick="a()">T</h2><p>Hi <a href="JAVASCRIPT:x">y</a></p>'
        "<ul><li>1</li></ul><blockquote>q</blockquote><pre>p</pre><hr><br>"
        '<script>bad()</script><iframe src="http://x"></iframe><font color="red">f</font></div>'
    )
    assert out == (
        '<div><h2>T</h2><p>Hi <a rel="nofollow noopener">y</a></p><ul><li>1</li></ul>'
        "<blockquote>q</blockquote><pre>p</pre><hr><br>f</div>"
    )


# --------------------------------------------------------------------------------------------------
# refusals
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "what"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG"),
    (b"PK\x03\x04" + b"word/document.xml" * 4, "ZIP"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 30, "gzip"),
])  # fmt: skip
def test_binary_magic_refused(data: bytes, what: str) -> None:
    with pytest.raises(InputError, match=what) as info:
        read_post(data, "upload.bin")
    assert "upload.bin" in str(info.value)
    assert info.value.exit_code == 2


def test_binary_by_control_ratio_refused() -> None:
    data = bytes(range(0, 32)) * 100 + b"some text"
    with pytest.raises(InputError, match="binary"):
        read_post(data)


def test_few_nuls_are_not_binary() -> None:
    data = b"A perfectly ordinary line of text.\x00\n" * 20
    post = read_post(data)
    assert post.lines[0].text == "A perfectly ordinary line of text."
    assert "20 NUL byte(s) removed" in post.warnings


def test_size_refused_in_read_post() -> None:
    with pytest.raises(InputTooLarge, match=r"post\.txt is 2\.0 KB; the limit for one post is 1\.0 KB"):
        read_post(b"x" * 2048, "post.txt", max_bytes=1024)
    with pytest.raises(InputTooLarge):
        read_post("é" * 600, max_bytes=1024)  # 1200 bytes as UTF-8
    read_post(b"x" * 1024, max_bytes=1024)


def test_read_file_refuses_sparse_50mb_file_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "huge.html"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(InputTooLarge) as info:
        read_file(big)
    assert str(info.value) == f"{big} is 50.0 MB; the limit for one post is 20 MB"
    assert info.value.exit_code == 3
    assert MAX_POST_BYTES == 20 * 1024 * 1024


def test_read_file_reads(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_bytes(b"Title: Kettle\r\n\r\nStory \x93here\x94.")
    post = read_file(path)
    assert post.source == str(path)
    assert post.encoding == "windows-1252"
    assert [line.text for line in post.lines] == ["Title: Kettle", "", "Story “here”."]
    assert read_file(str(path)).lines == post.lines


def test_read_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as info:
        read_file(tmp_path / "missing.txt")
    assert "missing.txt" in str(info.value)
    with pytest.raises(InputError, match="directory"):
        read_file(tmp_path)
    if os.name == "posix" and os.geteuid() != 0:
        locked = tmp_path / "locked.txt"
        locked.write_text("x")
        locked.chmod(0)
        with pytest.raises(InputError, match="permission denied"):
            read_file(locked)


# --------------------------------------------------------------------------------------------------
# speed (generous bounds: the real numbers are ~0.15 ms for text, ~0.8 ms for HTML)
# --------------------------------------------------------------------------------------------------


def _six_kb_posts() -> tuple[bytes, bytes]:
    sentence = "The kettle sang while the rain kept on, and nobody said a word about it. "
    text = "Title: Kettle\nRating: G\n\n" + "\n\n".join(sentence * 4 for _ in range(20))
    para = f"<p>{sentence} <i>{sentence}</i> &ldquo;{sentence}&rdquo;</p>\n"
    page = '<b>Title:</b> Kettle<br />\n<lj-cut text="more">\n' + para * 27
    return text.encode()[:6144], page.encode()[:6144]


@pytest.mark.parametrize("which", [0, 1])
def test_six_kb_post_is_fast(which: int) -> None:
    data = _six_kb_posts()[which]
    read_post(data)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(20):
            read_post(data)
        best = min(best, (time.perf_counter() - start) / 20)
    assert best < 0.01  # 10 ms: only catches pathological slowness on a loaded machine
