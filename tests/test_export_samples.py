"""Works the export tests share (written for these tests; no third-party text). No tests here."""

from __future__ import annotations

from fanshelf.export import ExportInfo
from fanshelf.model import Challenge, Chapter, SeriesPart, Work


def rich_work() -> Work:
    """Two chapters, every kind of metadata, and chapter HTML with lists, quotes, a remote image."""
    return Work(
        title="The Lighthouse Keeper’s Ledger",
        creators=["harbour_lights", "second_mate"],
        fandoms=["Torchwood"],
        rating="Teen And Up Audiences",
        rating_raw="PG-13",
        archive_warnings=["No Archive Warnings Apply"],
        categories=["M/M"],
        relationships=["Jack Harkness/Ianto Jones"],
        relationships_raw=["Jack/Ianto"],
        characters=["Jack Harkness", "Ianto Jones"],
        additional_tags=["Fluff", "Tea & Biscuits"],
        summary="Ianto keeps the books.\nJack keeps interrupting.",
        notes="Written for a weekend prompt.",
        end_notes="Thanks for reading!",
        word_count=57,
        challenge=Challenge(community="harbour_fest", prompt="a ledger", number="7"),
        series_part=SeriesPart(title="Harbour Stories", part=2, of=3),
        published="2009-05-04",
        chapters=[
            Chapter("Arrivals", "", "<p>The ledger had <em>forty</em> columns.</p>\n<ul><li>tea</li>"
                                    "<li>rope</li></ul><blockquote><p>Keep it dry.</p></blockquote>"),
            Chapter(None, "", "<p>Jack read the last page twice.<br />Then he laughed.</p>"
                              "<p><img src=\"http://example.com/lamp.png\" alt=\"a lamp\" /></p>"),
        ],
    )


RICH_INFO = ExportInfo(work_id=42, source="https://harbour-lights.dreamwidth.org/1234.html",
                       updated="2009-06-01", complete=True)


def tricky_works() -> list[tuple[str, Work]]:
    """The EPUBs epubcheck and ebook-meta must accept."""
    return [
        ("rich", rich_work()),
        ("unicode", Work(title="Ünïcödé — 雪の日 🌨️ «quotes»", creators=["日本の作者", "Zoë"],
                         fandoms=["東方Project"], rating="General Audiences", language="日本語",
                         additional_tags=["Ça va", "雪"], summary="Snow, in three languages: snow, neige, 雪.",
                         word_count=8, chapters=[Chapter(None, "", "<p>雪が降る。 Il neige.</p>")])),
        ("markup-in-tags", Work(title="Fish & <Chips> \"Tonight\"", creators=["a&b <c>"],
                                fandoms=["Doctor Who & Related Fandoms"], rating="Mature",
                                additional_tags=["<script>alert(1)</script>", "a > b & c < d"],
                                relationships=["Rose Tyler & Tenth Doctor"],
                                summary="Tags with <b>markup</b> & ampersands.",
                                word_count=3, chapters=[Chapter(None, "", "<p>Chips &amp; tea.</p>")])),
        ("empty-summary-no-fandom", Work(title="Untitled", creators=[], summary=None, word_count=1,
                                         chapters=[Chapter(None, "", "<p>Hello.</p>")])),
        ("no-chapters", Work(title="A Header Only", creators=["lone_writer"], fandoms=["Merlin (TV)"])),
        ("many-chapters", Work(title="Thirty Nights", creators=["night_owl"], fandoms=["Supernatural"],
                               series_part=SeriesPart(title="Nights", part=1),
                               chapters=[Chapter(f"Night {i}" if i % 2 else None, "",
                                                 f"<p>Night number {i}.</p><ol><li>one</li><li>two</li></ol>")
                                         for i in range(1, 31)], word_count=150)),
        ("messy-html", Work(title="Messy", creators=["tag_soup"], fandoms=["Stargate Atlantis"],
                            chapters=[Chapter(None, "", "<p>open <em>em <div>div in p</div> after"
                                              "<li>stray item<p>p <strike>old</strike> <a href=\"javascript:x()\">js"
                                              "</a> <a href=\"#frag\">frag</a> <a href=\"https://e.org/?a=1&b=2\">ok"
                                              "</a><img src=\"data:image/png;base64,AAAA\"><img src=\"https://e.org"
                                              "/i.png\"><h3>head</h3><pre>  code\n  more</pre>\x01\x0b"
                                              "<table><tr><td>cell</td></tr></table><hr>end")])),
    ]
