"""Uploads on /import that share a file name: a revised story updates its work, the same bytes are
unchanged, a different story under the same name is a new work (fanshelf.web.uploads)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest


@pytest.fixture
def client(archive):  # type: ignore[no-untyped-def]
    from django.core.cache import cache
    from django.test import Client

    from fanshelf.web import data

    data.reset_backend()
    cache.clear()
    return Client()


COMPASS = ("Title: The Brass Compass\nAuthor: harness_alice\nFandom: Doctor Who\nRating: G\n\n"
           "The compass pointed at whatever its holder had lost most recently, which was usually tea.\n")
COMPASS_REVISED = COMPASS + "\nBy the end of the week it was pointing at the Doctor's other shoe.\n"
LIFT = ("Title: A Lift Between Floors\nAuthor: harness_bob\nFandom: Torchwood\nRating: G\n\n"
        "The lift stopped between the third and fourth floors and Ianto sighed at the ceiling.\n")
LIFT_REVISED = LIFT + "\nJack, on the roof of the lift, said this was all going to plan.\n"


def upload(client: Any, name: str, body: bytes | str) -> dict[str, Any]:
    """Posts one file named ``name``; the import report (JSON) with its single file entry as ``file``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = body.encode() if isinstance(body, str) else body
    r = client.post("/import", {"files": [SimpleUploadedFile(name, raw, "text/plain")]})
    assert r.status_code == 302 and re.fullmatch(r"/import/\d+", r["Location"]), r.content[:500]
    report = json.loads(client.get(r["Location"] + ".json").content)
    (report["file"],) = report["files"]
    return report  # type: ignore[no-any-return]


def works(client: Any) -> dict[str, int]:
    return {w["title"]: w["id"] for w in json.loads(client.get("/works.json").content)["works"]}


def test_a_different_story_with_the_same_name_is_a_new_work(client) -> None:  # type: ignore[no-untyped-def]
    first = upload(client, "story.txt", COMPASS)
    assert first["file"]["location"] == "upload:story.txt" and first["file"]["outcome"] == "created"
    second = upload(client, "story.txt", LIFT)
    assert second["file"]["outcome"] == "created"
    assert re.fullmatch(r"upload:story\.txt~[0-9a-f]{8}", second["file"]["location"]), second["file"]
    ids = works(client)
    assert set(ids) == {"The Brass Compass", "A Lift Between Floors"}

    # the same bytes again, either of them: unchanged, at its own location
    again = upload(client, "story.txt", LIFT)
    assert again["file"] == {**second["file"], "outcome": "unchanged"}
    assert upload(client, "story.txt", COMPASS)["file"]["outcome"] == "unchanged"

    # a revised version of either story updates its own work (same id), not the other
    rev = upload(client, "story.txt", COMPASS_REVISED)["file"]
    assert (rev["location"], rev["outcome"]) == ("upload:story.txt", "updated")
    rev2 = upload(client, "story.txt", LIFT_REVISED)["file"]
    assert (rev2["location"], rev2["outcome"]) == (second["file"]["location"], "updated")
    assert works(client) == ids
    compass = json.loads(client.get(f"/works/{ids['The Brass Compass']}.json").content)
    assert "other shoe" in compass["chapters"][0]["html"]
    lift = json.loads(client.get(f"/works/{ids['A Lift Between Floors']}.json").content)
    assert "roof of the lift" in lift["chapters"][0]["html"]


def test_the_same_story_uploaded_with_other_case_and_spacing_in_its_header_updates(client) -> None:  # type: ignore[no-untyped-def]
    upload(client, "fic.txt", COMPASS)
    changed = COMPASS_REVISED.replace("Title: The Brass Compass", "Title: the brass  compass").replace(
        "harness_alice", "Harness_Alice")
    rev = upload(client, "fic.txt", changed)["file"]
    assert (rev["location"], rev["outcome"]) == ("upload:fic.txt", "updated")
    assert len(works(client)) == 1


def test_an_unreadable_upload_never_touches_the_work_under_its_name(client) -> None:  # type: ignore[no-untyped-def]
    upload(client, "story.txt", COMPASS)
    bad = upload(client, "story.txt", b"\x00\x01\x02\x03" * 200)["file"]
    assert bad["outcome"] == "failed" and re.fullmatch(r"upload:story\.txt~[0-9a-f]{8}", bad["location"])
    assert set(works(client)) == {"The Brass Compass"}
    assert upload(client, "story.txt", COMPASS)["file"]["outcome"] == "unchanged"


def test_a_third_story_of_the_same_name_and_names_in_zips(client) -> None:  # type: ignore[no-untyped-def]
    import io
    import zipfile

    third = LIFT.replace("A Lift Between Floors", "Stairs Instead").replace("harness_bob", "harness_carol")
    for body in (COMPASS, LIFT, third):
        assert upload(client, "story.txt", body)["file"]["outcome"] == "created"
    assert len(works(client)) == 3
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("posts/story.txt", COMPASS)
    first = upload(client, "bundle.zip", buf.getvalue())["file"]
    assert (first["location"], first["outcome"]) == ("upload:bundle.zip!/posts/story.txt", "created")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("posts/story.txt", LIFT)
    other = upload(client, "bundle.zip", buf.getvalue())["file"]
    assert other["outcome"] == "created"
    assert re.fullmatch(r"upload:bundle\.zip!/posts/story\.txt~[0-9a-f]{8}", other["location"])


def test_choose_location_rules(client) -> None:  # type: ignore[no-untyped-def]
    from fanshelf.archive.store import content_hash
    from fanshelf.web.uploads import choose_location

    assert choose_location("upload:new.txt", LIFT.encode()) == "upload:new.txt"
    upload(client, "a.txt", COMPASS)
    assert choose_location("upload:a.txt", COMPASS.encode()) == "upload:a.txt"
    assert choose_location("upload:a.txt", COMPASS_REVISED.encode()) == "upload:a.txt"
    assert choose_location("upload:a.txt", LIFT.encode()) == "upload:a.txt~" + content_hash(LIFT.encode())[:8]
    # a name that merely starts like another is not a variant of it
    assert choose_location("upload:a", LIFT.encode()) == "upload:a"
