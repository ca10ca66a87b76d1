"""Tests of fanshelf.taxonomy against the shipped taxonomy and a tiny hand-made one."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest

from fanshelf.taxonomy import Taxonomy, default_taxonomy, loose, normalize

DATA = Path(__file__).resolve().parent.parent / "src" / "fanshelf" / "data" / "taxonomy.json.gz"
TW = ["Torchwood"]
SPN = ["Supernatural"]
HP = ["Harry Potter - J. K. Rowling"]
DS9 = ["Star Trek: Deep Space Nine"]


@pytest.fixture(scope="module")
def tx() -> Taxonomy:
    return default_taxonomy()


# ---------------------------------------------------------------- loading
def test_default_is_cached() -> None:
    assert default_taxonomy() is default_taxonomy()
    assert Taxonomy.load() is default_taxonomy()


def test_shipped_file_small_and_fast() -> None:
    assert DATA.stat().st_size < 3_000_000
    t0 = time.perf_counter()
    loaded = Taxonomy.load(DATA)
    elapsed = time.perf_counter() - t0
    assert loaded.fandom("Torchwood") == "Torchwood"
    assert elapsed < 1.0  # ~70 ms on a developer machine; generous for slow CI


def test_normalize() -> None:
    assert normalize("  \u201cTorchwood\u201d ") == "torchwood"
    assert normalize("Jack   HARKNESS.") == "jack harkness"
    assert normalize("Lewis (TV)") == "lewis (tv)"
    assert loose("Harry Potter - J. K. Rowling") == "harry potter j k rowling"


# ---------------------------------------------------------------- fandoms
@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Torchwood", "Torchwood"),
        ("torchwood", "Torchwood"),
        ("TW", "Torchwood"),
        ("  Torchwood. ", "Torchwood"),
        ("fandom: torchwood", "Torchwood"),
        ("Torchwood: Miracle Day", "Torchwood"),
        ("Supernatural (TV)", "Supernatural"),
        ("SPN", "Supernatural"),
        ("HP", "Harry Potter - J. K. Rowling"),
        ("Harry Potter", "Harry Potter - J. K. Rowling"),
        ("Harry Potter - Rowling", "Harry Potter - J. K. Rowling"),
        ("Sherlock BBC", "Sherlock (TV)"),
        ("SGA", "Stargate Atlantis"),
        ("Stargate: Atlantis", "Stargate Atlantis"),
        ("DS9", "Star Trek: Deep Space Nine"),
        ("BtVS", "Buffy the Vampire Slayer"),
        ("MCU", "Marvel Cinematic Universe"),
        ("Lewis", "Lewis (TV)"),
        ("Inspector Lewis", "Lewis (TV)"),
        ("Merlin (BBC)", "Merlin (TV)"),
        ("due south", "due South"),
        ("TOS", "Star Trek: The Original Series"),
        ("Hikaru no Go", "Hikaru no Go"),
        ("Doctor Who", "Doctor Who"),
        ("Dr. Who", "Doctor Who"),
    ],
)
def test_fandom(tx: Taxonomy, written: str, canonical: str) -> None:
    assert tx.fandom(written) == canonical


def test_fandom_unknown(tx: Taxonomy) -> None:
    assert tx.fandom("") is None
    assert tx.fandom("A Fandom That Does Not Exist Anywhere") is None


def test_fandom_metatags(tx: Taxonomy) -> None:
    assert tx.fandom_metatags("Torchwood")[0] == "Doctor Who"
    assert "Star Trek" in tx.fandom_metatags("Star Trek: Deep Space Nine")
    assert "Torchwood" not in tx.fandom_metatags("Doctor Who")
    assert tx.fandom_metatags("no such fandom") == []


def test_torchwood_is_not_doctor_who(tx: Taxonomy) -> None:
    assert tx.fandom("Torchwood") != "Doctor Who"


# ---------------------------------------------------------------- free text
@pytest.mark.parametrize(
    "text",
    [
        "Torchwood isn't mine, nor are its people; all of it is the BBC's.",
        "Not mine: 'Torchwood' is only borrowed for an afternoon!",
        "Not mine: \u201cTorchwood\u201d is only borrowed for an afternoon!",
    ],
)
def test_find_fandoms_in_disclaimer(tx: Taxonomy, text: str) -> None:
    assert tx.find_fandoms_in(text) == ["Torchwood"]


@pytest.mark.parametrize(
    "text",
    [
        "She came home and felt the love in the house. It was supernatural, the doctor who lived there said.",
        "The story is set after the events of the episode, when everyone was tired and hungry.",
        "Home is where the heart is, and Love is all you need.",
        "",
    ],
)
def test_find_fandoms_in_prose(tx: Taxonomy, text: str) -> None:
    assert tx.find_fandoms_in(text) == []


def test_find_fandoms_in_longest_and_order(tx: Taxonomy) -> None:
    assert tx.find_fandoms_in("I do not own Star Trek: Deep Space Nine or Doctor Who.") == [
        "Star Trek: Deep Space Nine",
        "Doctor Who",
    ]
    assert tx.find_fandoms_in("Disclaimer: Supernatural belongs to Kripke.") == ["Supernatural"]
    assert tx.find_fandoms_in("Not mine: SPN and TW belong to others. SPN again.") == [
        "Supernatural",
        "Torchwood",
    ]
    # abbreviations only in capitals, as whole words
    assert tx.find_fandoms_in("tw: character death, spn") == []


# ---------------------------------------------------------------- characters
@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Jack", "Jack Harkness"),
        ("Captain Jack", "Jack Harkness"),
        ("jack harkness", "Jack Harkness"),
        ("Tosh", "Toshiko Sato"),
        ("Ianto", "Ianto Jones"),
        ("Lisa", "Lisa Hallett"),
        ("Rhys", "Rhys Williams (Torchwood)"),
        ("Rhys Williams", "Rhys Williams (Torchwood)"),
        ("Gwen", "Gwen Cooper"),
        ("Owen", "Owen Harper"),
        ("John Hart", "John Hart (Torchwood)"),
        ("Gray", "Gray (Torchwood)"),
        ("Myfanwy", "Myfanwy (Torchwood)"),
    ],
)
def test_character_torchwood(tx: Taxonomy, written: str, canonical: str) -> None:
    assert tx.character(written, TW) == canonical


def test_character_ambiguous_in_fandom(tx: Taxonomy) -> None:
    assert tx.character("Carter", TW) is None  # Steven and Alice Carter


@pytest.mark.parametrize(
    ("written", "fandoms", "canonical"),
    [
        ("Dean", SPN, "Dean Winchester"),
        ("Cas", SPN, "Castiel (Supernatural)"),
        ("Castiel", SPN, "Castiel (Supernatural)"),
        ("Sam", SPN, "Sam Winchester"),
        ("Sammy", SPN, "Sam Winchester"),
        ("Harry", HP, "Harry Potter"),
        ("Draco", HP, "Draco Malfoy"),
        ("Hermione", HP, "Hermione Granger"),
        ("Garak", DS9, "Elim Garak"),
        ("Bashir", DS9, "Julian Bashir"),
        ("Julian", DS9, "Julian Bashir"),
        ("Odo", DS9, "Odo (Star Trek)"),
    ],
)
def test_character_other_fandoms(tx: Taxonomy, written: str, fandoms: list[str], canonical: str) -> None:
    assert tx.character(written, fandoms) == canonical


def test_character_without_fandoms(tx: Taxonomy) -> None:
    assert tx.character("Ianto Jones", []) == "Ianto Jones"
    assert tx.character("Jack Harkness", []) == "Jack Harkness"
    assert tx.character("Cas", []) is None  # short names need a fandom
    assert tx.character("Jones", []) is None
    assert tx.character("", TW) is None


def test_character_fandoms(tx: Taxonomy) -> None:
    assert tx.character_fandoms("Jack Harkness")[:2] == ["Torchwood", "Doctor Who"]
    assert tx.character_fandoms("Rhys Williams (Torchwood)")[0] == "Torchwood"
    assert tx.character_fandoms("Elim Garak")[0] == "Star Trek: Deep Space Nine"
    assert tx.character_fandoms("Nobody At All") == []


def test_infer_fandoms_from_characters(tx: Taxonomy) -> None:
    assert tx.infer_fandoms_from_characters(["Jack", "Ianto", "Tosh"]) == ["Torchwood"]
    assert tx.infer_fandoms_from_characters(["Jack Harkness", "Ianto Jones"]) == ["Torchwood"]
    assert tx.infer_fandoms_from_characters(["Dean", "Cas"]) == ["Supernatural"]
    assert tx.infer_fandoms_from_characters(["Garak", "Bashir"]) == ["Star Trek: Deep Space Nine"]
    assert tx.infer_fandoms_from_characters(["Harry", "Draco"]) == ["Harry Potter - J. K. Rowling"]
    assert tx.infer_fandoms_from_characters([]) == []
    assert tx.infer_fandoms_from_characters(["Zzyzx Qwertyuiop"]) == []


# ---------------------------------------------------------------- relationships & freeforms
def test_relationship(tx: Taxonomy) -> None:
    assert tx.relationship(["Ianto Jones", "Jack Harkness"]) == "Jack Harkness/Ianto Jones"
    assert tx.relationship(["Jack Harkness", "Ianto Jones"], "/") == "Jack Harkness/Ianto Jones"
    assert tx.relationship(["Ianto Jones", "Lisa Hallett"]) == "Lisa Hallett/Ianto Jones"
    assert tx.relationship(["Dean Winchester", "Castiel (Supernatural)"]) == "Castiel/Dean Winchester"
    assert tx.relationship(["John Watson", "Sherlock Holmes"]) == "Sherlock Holmes/John Watson"
    assert tx.relationship(["Sherlock Holmes", "John Watson"], "&") == "Sherlock Holmes & John Watson"
    assert (
        tx.relationship(["Crowley (Good Omens)", "Aziraphale (Good Omens)"])
        == "Aziraphale/Crowley (Good Omens)"
    )
    assert tx.relationship(["Elim Garak", "Julian Bashir"]) == "Julian Bashir/Elim Garak"
    assert tx.relationship(["Jack Harkness"]) is None
    assert tx.relationship(["Owen Harper", "Rhys Williams (Torchwood)"]) is None


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("angst", "Angst"),
        ("Angst", "Angst"),
        ("AU", "Alternate Universe"),
        ("fluff", "Fluff"),
        ("hurt/comfort", "Hurt/Comfort"),
        ("h/c", "Hurt/Comfort"),
    ],
)
def test_freeform(tx: Taxonomy, written: str, canonical: str) -> None:
    assert tx.freeform(written) == canonical


def test_freeform_unknown(tx: Taxonomy) -> None:
    assert tx.freeform("") is None
    assert tx.freeform("qzx not a tag qzx") is None


# ---------------------------------------------------------------- tiny taxonomy
@pytest.fixture
def tiny() -> Taxonomy:
    return Taxonomy.from_data(
        {
            "fandoms": {
                "Torchwood": {
                    "aliases": ["Torchwood (TV)"],
                    "abbreviations": ["TW"],
                    "metatags": ["Doctor Who"],
                },
                "Doctor Who": {"metatags": ["Whoniverse"]},
                "Heroes": {},
                "Sherlock (TV)": {"aliases": ["Sherlock"]},
            },
            "characters": {
                "Jack Harkness": {
                    "aliases": ["Captain Jack"],
                    "fandoms": {"Torchwood": 50, "Doctor Who": 10},
                },
                "Jack Smith (Torchwood)": {"fandoms": {"Torchwood": 5}},
                "Toshiko Sato": {"short": ["Tosh"], "fandoms": {"Torchwood": 20}},
                "John Watson": {"fandoms": {"Sherlock (TV)": 30}},
                "John Hart (Torchwood)": {"fandoms": {"Torchwood": 20}},
                "Owen Harper": {"fandoms": {"Torchwood": 20}},
                "Owen Jones (Torchwood)": {"fandoms": {"Torchwood": 15}},
            },
            "relationships": ["Jack Harkness/Toshiko Sato", "Jack Harkness & Toshiko Sato"],
            "freeforms": {"Angst": ["angsty"]},
        }
    )


def test_tiny_fandoms(tiny: Taxonomy) -> None:
    assert tiny.fandom("tw") == "Torchwood"
    assert tiny.fandom("Torchwood (TV)") == "Torchwood"
    assert tiny.fandom("Sherlock") == "Sherlock (TV)"
    assert tiny.fandom_metatags("Torchwood") == ["Doctor Who", "Whoniverse"]
    assert tiny.find_fandoms_in("We could be heroes. Heroes never die.") == []
    assert tiny.find_fandoms_in("I don't own 'Heroes', it belongs to its creators.") == ["Heroes"]
    assert tiny.find_fandoms_in("I don't own Heroes, it belongs to NBC.") == ["Heroes"]
    assert tiny.find_fandoms_in("Not mine. TW belongs to the BBC.") == ["Torchwood"]


def test_tiny_characters(tiny: Taxonomy) -> None:
    assert tiny.character("Jack", ["Torchwood"]) == "Jack Harkness"  # 50 >= 3 x 5
    assert tiny.character("Tosh", ["Torchwood"]) == "Toshiko Sato"
    assert tiny.character("Owen", ["Torchwood"]) is None  # 20 vs 15: no clear winner
    assert tiny.character("Captain Jack", []) == "Jack Harkness"
    assert tiny.character("John", ["Torchwood"]) == "John Hart (Torchwood)"
    assert tiny.character("John", ["Sherlock (TV)"]) == "John Watson"
    assert tiny.character("John", []) is None
    assert tiny.character_fandoms("Jack Harkness") == ["Torchwood", "Doctor Who"]
    assert tiny.infer_fandoms_from_characters(["Jack", "Tosh"]) == ["Torchwood"]
    assert tiny.infer_fandoms_from_characters(["John"]) == ["Sherlock (TV)"]  # one each, 30 >= 1.5 x 20
    assert tiny.infer_fandoms_from_characters(["John", "Jack"]) == ["Torchwood"]


def test_tiny_relationships_and_freeforms(tiny: Taxonomy) -> None:
    assert tiny.relationship(["Toshiko Sato", "Jack Harkness"]) == "Jack Harkness/Toshiko Sato"
    assert tiny.relationship(["Toshiko Sato", "Jack Harkness"], "&") == "Jack Harkness & Toshiko Sato"
    assert tiny.relationship(["Owen Harper", "Jack Harkness"]) is None
    assert tiny.freeform("ANGSTY") == "Angst"
    assert tiny.freeform("angst") == "Angst"


def test_load_roundtrip(tmp_path: Path, tiny: Taxonomy) -> None:
    raw = json.loads(gzip.decompress(DATA.read_bytes()))
    small = {k: raw[k] for k in ("fandoms", "fandom_keys", "fandom_ids")}
    path = tmp_path / "t.json.gz"
    path.write_bytes(gzip.compress(json.dumps(small).encode()))
    assert Taxonomy.load(path).fandom("TW") == "Torchwood"
    plain = tmp_path / "t.json"
    plain.write_text(json.dumps(small))
    assert Taxonomy.load(str(plain)).fandom("torchwood") == "Torchwood"


def test_umbrella_fandom_groups_keep_their_media_apart() -> None:
    """scourgify groups all of DC under one master; its media are canonicals of their own under it, and
    no medium (Superboy) swallows the films and the other comics."""
    from fanshelf.taxonomy import default_taxonomy

    tax = default_taxonomy()
    assert tax.fandom("Superboy (Comics)") == "Superboy (Comics)"
    assert tax.fandom("Man of Steel (2013)") == "Man of Steel (2013)"
    assert "DC Comics" in tax.fandom_metatags("Man of Steel (2013)")
    for other in ("Batman Begins (2005)", "Wonder Woman (2017)", "Superman (movies)"):
        assert tax.fandom(other) != "Superboy (Comics)"
    assert tax.fandom("Heroes") == "Heroes (TV 2006)"  # a group of one or two media still takes the medium's name
