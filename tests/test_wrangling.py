"""Tag wrangling (fanshelf.archive.wrangling), its admin and its CLI, on SQLite and PostgreSQL.

Works are stored through the real Store with a small invented taxonomy, so which tags start canonical
is known exactly. After every change each work's filter set must equal what the rules give
(``tags.filter_ids_for`` over the work's tags), and every work whose filter set changed must have a new
revision and an outbox row.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import pytest

from fanshelf import model as core

TAXONOMY = {
    "fandoms": {
        "Skyward Station": {},
        "Deepwater Base": {},
        "Lantern Court": {"metatags": ["Lantern Court Universe"]},
        "Lantern Court Universe": {},
    },
    "characters": {"Mara Quill": {"fandoms": {"Skyward Station": 3}}},
    "freeforms": {"Slow Burn": ["slowburn"], "Found Family": [], "Hurt/Comfort": ["h/c"]},
}
_counter = itertools.count()


def _store() -> Any:
    from fanshelf.archive.store import Store
    from fanshelf.archive.tags import TagResolver
    from fanshelf.taxonomy import Taxonomy

    return Store(TagResolver(Taxonomy.from_data(TAXONOMY)))


def save(*works: core.Work) -> list[int]:
    """Store these works as one post; their ids."""
    from fanshelf.archive.store import PostItem

    n = next(_counter)
    loc = f"memory://post-{n}"
    out = _store().save(PostItem(loc, hashlib.sha256(loc.encode()).hexdigest(), list(works)))
    return list(out.work_ids)


def work(title: str, *, fandoms: tuple[str, ...] = ("Skyward Station",), tags: tuple[str, ...] = (),
         characters: tuple[str, ...] = (), relationships: tuple[str, ...] = ()) -> core.Work:
    return core.Work(title=title, creators=["Quillfeather"], fandoms=list(fandoms), additional_tags=list(tags),
                     characters=list(characters), relationships=list(relationships),
                     chapters=[core.Chapter(None, f"{title} begins.", f"<p>{title} begins.</p>")])


def tag(name: str, type_: str = "Freeform") -> Any:
    from fanshelf.archive.models import Tag, tag_key

    return Tag.objects.get(type=type_, key=tag_key(name))


def canonical_tag(name: str, type_: str = "Freeform") -> Any:
    from fanshelf.archive.models import Tag

    return Tag.objects.create(type=type_, name=name, canonical=True)


def filters(wid: int, type_: str | None = "Freeform") -> dict[int, bool]:
    """The stored filter set of a work (its additional tags only, by default): tag id -> inherited."""
    from fanshelf.archive.models import FilterTagging

    qs = FilterTagging.objects.filter(work_id=wid)
    if type_:
        qs = qs.filter(tag__type=type_)
    return dict(qs.values_list("tag_id", "inherited"))


def revisions() -> dict[int, int]:
    from fanshelf.archive.models import Work

    return dict(Work.objects.values_list("id", "revision"))


def outbox() -> list[int]:
    from fanshelf.archive.models import IndexOutbox

    return sorted(IndexOutbox.objects.values_list("work_id", flat=True))


def clear_outbox() -> None:
    from fanshelf.archive.models import IndexOutbox

    IndexOutbox.objects.all().delete()


def assert_consistent() -> None:
    """Every work's stored filter set and crossover flag are what the rules give."""
    from fanshelf.archive.models import Tagging, Work
    from fanshelf.archive.store import _crossover
    from fanshelf.archive.tags import filter_ids_for

    per_work: dict[int, list[int]] = {}
    for wid, tid in Tagging.objects.values_list("work_id", "tag_id"):
        per_work.setdefault(wid, []).append(tid)
    fandoms = set(Tagging.objects.filter(tag__type="Fandom").values_list("tag_id", flat=True))
    for wid, crossover in Work.objects.values_list("id", "crossover"):
        tids = per_work.get(wid, [])
        rules = filter_ids_for(tids)
        want: dict[int, bool] = {}
        for t in tids:
            canon, fset = rules[t]
            for f in fset:
                want[f] = want.get(f, True) and f not in (canon, t)
        assert filters(wid, None) == want, f"work {wid}"
        fsets = [rules[t][1] for t in tids if t in fandoms and rules[t][0] is not None]
        assert crossover == _crossover(fsets), f"work {wid} crossover"


# ------------------------------------------------------------------------------------------ listing


def test_unwrangled_lists_by_use_count_then_name(archive: object) -> None:
    from fanshelf.archive.wrangling import TagUse, unwrangled

    save(work("One", tags=("Slow Burnn", "Zebra Crossing", "Alpaca Parade")),
         work("Two", tags=("Slow Burnn", "Zebra Crossing", "Slow Burn")),
         work("Three", tags=("Slow Burnn", "Alpaca Parade"), characters=("Orrin Vale",)))
    rows = unwrangled("freeform")
    assert [(r.name, r.uses) for r in rows] == [("Slow Burnn", 3), ("Alpaca Parade", 2), ("Zebra Crossing", 2)]
    assert rows[0] == TagUse(id=tag("Slow Burnn").id, type="Freeform", name="Slow Burnn", uses=3,
                             canonical=False, merger_name=None)
    # canonical tags (Slow Burn, the fixed tags, the taxonomy's fandom) are not listed; other types are
    everything = unwrangled()
    assert {(r.type, r.name) for r in everything} == {
        ("Freeform", "Slow Burnn"), ("Freeform", "Alpaca Parade"), ("Freeform", "Zebra Crossing"),
        ("Character", "Orrin Vale")}
    assert [r.name for r in unwrangled("Additional Tags", limit=1, offset=1)] == ["Alpaca Parade"]
    assert [r.name for r in unwrangled(search="  slow  ")] == ["Slow Burnn"]
    assert [r.name for r in unwrangled("character")] == ["Orrin Vale"]


def test_find_tag_by_id_name_and_type(archive: object) -> None:
    from fanshelf.archive.wrangling import WranglingError, find_tag

    save(work("Mirror", fandoms=("Glasshouse",), tags=("Glasshouse",)))
    ff = tag("Glasshouse")
    assert find_tag(str(ff.id)) == ff and find_tag(f"#{ff.id}") == ff
    assert find_tag("glasshouse", "additional") == ff
    assert find_tag("GLASSHOUSE", "fandom") == tag("Glasshouse", "Fandom")
    with pytest.raises(WranglingError, match=r"several types \(fandom, additional tag\)"):
        find_tag("Glasshouse")
    with pytest.raises(WranglingError, match="did you mean: Glasshouse"):
        find_tag("Glass", "fandom")
    with pytest.raises(WranglingError, match="unknown tag type"):
        find_tag("Glasshouse", "genre")


# ------------------------------------------------------------------------------------------ merging


def test_merge_moves_works_to_the_canonical(archive: object) -> None:
    from fanshelf.archive.models import IndexOutbox
    from fanshelf.archive.wrangling import merge

    (typo_work,) = save(work("Typo", tags=("Slow Burnn",)))
    (good_work,) = save(work("Right", tags=("Slow Burn",)))
    typo, slow = tag("Slow Burnn"), tag("Slow Burn")
    assert not typo.wrangled and slow.canonical
    assert typo.id in filters(typo_work)
    before = revisions()
    clear_outbox()

    assert merge(typo, slow) == 1
    assert (typo.canonical, typo.merger_id) == (False, slow.id)  # the caller's instance is refreshed
    f = filters(typo_work)
    assert f[slow.id] is False and typo.id not in f
    after = revisions()
    assert after[typo_work] == before[typo_work] + 1 and after[good_work] == before[good_work]
    assert outbox() == [typo_work]
    assert IndexOutbox.objects.count() == 1
    assert_consistent()
    assert merge(typo, slow) == 0  # already done: nothing changes
    assert outbox() == [typo_work]


def test_merging_a_canonical_repoints_its_synonyms_and_links(archive: object) -> None:
    from fanshelf.archive.models import MetaTagging
    from fanshelf.archive.wrangling import add_metatag, make_canonical, merge

    w_old, w_syn, w_sub, w_new = save(work("Old", tags=("Slowburn Romance",)),
                                      work("Syn", tags=("slow-burn romance!!",)),
                                      work("Sub", tags=("Glacial Romance",)),
                                      work("New", tags=("Slow Burn",)))
    old, syn, sub, new = (tag(n) for n in ("Slowburn Romance", "slow-burn romance!!", "Glacial Romance",
                                           "Slow Burn"))
    romance = canonical_tag("Romance")
    make_canonical(old)
    make_canonical(sub)
    merge(syn, old)
    add_metatag(old, romance)
    add_metatag(sub, old)
    assert filters(w_sub) == {sub.id: False, old.id: True, romance.id: True}
    clear_outbox()

    assert merge(old, new) == 4  # old's, its synonym's, its subtag's; w_new's: Slow Burn gains Romance
    syn.refresh_from_db()
    assert syn.merger_id == new.id and old.merger_id == new.id and not old.canonical
    links = set(MetaTagging.objects.values_list("sub_tag_id", "meta_tag_id"))
    assert links == {(new.id, romance.id), (sub.id, new.id)}
    assert filters(w_old) == filters(w_syn) == filters(w_new) == {new.id: False, romance.id: True}
    assert filters(w_sub) == {sub.id: False, new.id: True, romance.id: True}
    assert outbox() == sorted([w_old, w_syn, w_sub, w_new])  # w_new: Slow Burn gained a metatag
    assert_consistent()


def test_merge_is_refused_unless_the_rules_allow_it(archive: object) -> None:
    from fanshelf.archive.models import Tag
    from fanshelf.archive.wrangling import WranglingError, merge

    save(work("Rules", tags=("Slow Burnn", "Slowburn Typo"), characters=("Mara Quill",)))
    typo, other = tag("Slow Burnn"), tag("Slowburn Typo")
    slow = canonical_tag("Slow Burn")
    with pytest.raises(WranglingError, match="into itself"):
        merge(typo, typo)
    with pytest.raises(WranglingError, match="type"):
        merge(typo, tag("Mara Quill", "Character"))
    with pytest.raises(WranglingError, match="make it canonical first"):
        merge(typo, other)
    merge(other, slow)
    with pytest.raises(WranglingError, match="synonym of Slow Burn: merge into Slow Burn instead"):
        merge(typo, tag("Slowburn Typo"))
    with pytest.raises(WranglingError, match="fixed"):
        merge(Tag.objects.get(type="Rating", name="Not Rated"), Tag.objects.get(type="Rating", name="Explicit"))
    assert not tag("Slow Burnn").wrangled
    assert_consistent()


# ------------------------------------------------------------------------------------------ metatags


def test_metatags_are_inherited_transitively(archive: object) -> None:
    from fanshelf.archive.wrangling import add_metatag, make_canonical, merge

    w_a, w_a_syn, w_b, w_c = save(work("A", tags=("Pining",)), work("A2", tags=("pinning",)),
                                  work("B", tags=("Longing",)), work("C", tags=("Feelings",)))
    a, a_syn, b, c = tag("Pining"), tag("pinning"), tag("Longing"), tag("Feelings")
    for t in (a, b, c):
        make_canonical(t)
    merge(a_syn, a)
    clear_outbox()

    assert add_metatag(a, b) == 2  # A's works, its synonym's too
    assert filters(w_a) == filters(w_a_syn) == {a.id: False, b.id: True}
    assert outbox() == sorted([w_a, w_a_syn])
    assert add_metatag(b, c) == 3
    assert filters(w_a) == {a.id: False, b.id: True, c.id: True}
    assert filters(w_b) == {b.id: False, c.id: True}
    assert filters(w_c) == {c.id: False}
    assert add_metatag(a, b) == 0  # already linked
    assert add_metatag(a, c) == 0  # redundant: A already inherits C
    assert_consistent()


def test_cycles_and_type_mismatches_are_refused(archive: object) -> None:
    from fanshelf.archive.models import MetaTagging
    from fanshelf.archive.wrangling import WranglingError, add_metatag

    save(work("Loop", tags=("Tidal", "Lunar", "Orbital", "Untamed")))
    a, b, c = (canonical_tag(n) for n in ("Tide Pools", "Moon Phases", "Orbits"))
    add_metatag(a, b)
    add_metatag(b, c)
    links = MetaTagging.objects.count()
    with pytest.raises(WranglingError, match=r"cycle") as err:
        add_metatag(c, a)
    assert "Tide Pools → Moon Phases → Orbits" in str(err.value)
    with pytest.raises(WranglingError, match="its own metatag"):
        add_metatag(a, a)
    with pytest.raises(WranglingError, match="same type"):
        add_metatag(a, tag("Skyward Station", "Fandom"))
    with pytest.raises(WranglingError, match="not canonical"):
        add_metatag(tag("Untamed"), a)
    assert MetaTagging.objects.count() == links
    assert_consistent()


def test_remove_metatag_undoes_add(archive: object) -> None:
    from fanshelf.archive.wrangling import WranglingError, add_metatag, make_canonical, remove_metatag

    ids = save(work("P", tags=("Pining",)), work("L", tags=("Longing",)), work("Both", tags=("Pining", "Longing")))
    a, b = tag("Pining"), tag("Longing")
    make_canonical(a)
    make_canonical(b)
    snapshot = {w: filters(w, None) for w in ids}
    add_metatag(a, b)
    assert filters(ids[2]) == {a.id: False, b.id: False}  # tagged with both: neither is inherited
    before = revisions()
    clear_outbox()
    assert remove_metatag(a, b) == 1
    assert {w: filters(w, None) for w in ids} == snapshot
    assert outbox() == [ids[0]] and revisions()[ids[0]] == before[ids[0]] + 1
    with pytest.raises(WranglingError, match="not a direct metatag"):
        remove_metatag(a, b)
    assert_consistent()


def test_unwrangle(archive: object) -> None:
    from fanshelf.archive.models import MetaTagging
    from fanshelf.archive.wrangling import WranglingError, add_metatag, make_canonical, merge, unwrangle

    w_typo, w_sub, w_slow = save(work("T", tags=("Slow Burnn",)), work("S", tags=("Glacial Romance",)),
                                 work("B", tags=("Slow Burn",)))
    typo, sub, slow = tag("Slow Burnn"), tag("Glacial Romance"), tag("Slow Burn")
    merge(typo, slow)
    make_canonical(sub)
    add_metatag(sub, slow)
    with pytest.raises(WranglingError, match=r"has synonyms \(Slow Burnn\)"):
        unwrangle(slow)
    clear_outbox()
    assert unwrangle(typo) == 1
    assert not typo.wrangled and filters(w_typo) == {typo.id: False}
    assert outbox() == [w_typo]
    assert unwrangle(typo) == 0
    clear_outbox()
    assert unwrangle(slow) == 1  # the subtag's work loses it; its own work still filters as itself
    assert not MetaTagging.objects.exists()
    assert filters(w_sub) == {sub.id: False} and filters(w_slow) == {slow.id: False}
    assert outbox() == sorted([w_sub, w_slow])  # w_slow: its tag left the canonicals (facets change)
    assert_consistent()


def test_facets_list_wrangled_tags_only(archive: object) -> None:
    """As on AO3, an unwrangled tag filters (include/exclude) but is not a facet until it is wrangled."""
    from fanshelf.archive.wrangling import make_canonical
    from fanshelf.search.base import SearchRequest
    from fanshelf.search.documents import build_documents
    from fanshelf.search.service import run_search
    from fanshelf.search.sync import drain, open_backend

    w_odd, w_syn = save(work("Odd", tags=("Slow Burn", "Marmalade Feelings")), work("Syn", tags=("slowburn",)))
    slow, marm = tag("Slow Burn"), tag("Marmalade Feelings")
    assert not marm.wrangled and tag("slowburn").merger_id == slow.id
    docs = {d.id: d for d in build_documents([w_odd, w_syn])}
    assert docs[w_odd].freeform_ids == [slow.id] and marm.id in docs[w_odd].filter_ids
    assert docs[w_syn].freeform_ids == [slow.id]  # a synonym counts under its canonical

    def freeform_facet() -> list[tuple[str, int]]:
        backend = open_backend()
        try:
            drain(backend)
            res = run_search(backend, SearchRequest())
            assert {w["id"] for w in run_search(backend, SearchRequest(include=(marm.id,))).works} == {w_odd}
        finally:
            backend.close()
        return [(f["name"], f["count"]) for f in res.facets["freeform"]]

    assert freeform_facet() == [("Slow Burn", 2)]
    clear_outbox()
    make_canonical(marm)
    assert outbox() == [w_odd]  # its document changed: the new canonical is a facet now
    assert freeform_facet() == [("Slow Burn", 2), ("Marmalade Feelings", 1)]


def test_crossover_follows_fandom_metatags(archive: object) -> None:
    from fanshelf.archive.models import Work
    from fanshelf.archive.wrangling import add_metatag, remove_metatag

    (both,) = save(work("Crossing", fandoms=("Skyward Station", "Deepwater Base")))
    (single,) = save(work("Alone", fandoms=("Lantern Court",)))
    assert Work.objects.get(id=both).crossover and not Work.objects.get(id=single).crossover
    sky, deep = tag("Skyward Station", "Fandom"), tag("Deepwater Base", "Fandom")
    family = canonical_tag("Oceanic Verse", "Fandom")
    assert add_metatag(sky, family) == 1
    assert Work.objects.get(id=both).crossover  # Deepwater Base is still outside the family
    before = revisions()[both]
    clear_outbox()
    assert add_metatag(deep, family) == 1
    assert not Work.objects.get(id=both).crossover
    assert revisions()[both] == before + 1 and outbox() == [both]
    remove_metatag(deep, family)
    assert Work.objects.get(id=both).crossover
    assert_consistent()


def test_recompute_filters_repairs_and_is_idempotent(archive: object) -> None:
    from fanshelf.archive.models import FilterTagging, Work
    from fanshelf.archive.wrangling import recompute_filters

    ids = save(*(work(f"W{i}", tags=("Slow Burn", f"Tag {i % 3}")) for i in range(7)))
    clear_outbox()
    before = revisions()
    assert recompute_filters(Work.objects.values_list("id", flat=True)) == 0
    assert revisions() == before and outbox() == []
    FilterTagging.objects.filter(work_id=ids[3]).delete()
    Work.objects.filter(id=ids[5]).update(crossover=True)
    assert recompute_filters([*ids, 999_999]) == 2  # ids of missing works are ignored
    assert outbox() == sorted([ids[3], ids[5]])
    assert_consistent()
    assert recompute_filters([ids[0]], reindex=[ids[0]]) == 0 and ids[0] in outbox()


def test_rename_queues_the_works_of_the_tag_and_its_synonyms(archive: object) -> None:
    from fanshelf.archive.wrangling import WranglingError, merge, rename

    w_slow, w_typo, w_other = save(work("S", tags=("Slow Burn",)), work("T", tags=("Slow Burnn",)),
                                   work("O", tags=("Found Family",)))
    slow = tag("Slow Burn")
    merge(tag("Slow Burnn"), slow)
    clear_outbox()
    assert rename(slow, "  Slow   Burn (Romance) ") == 2  # both documents carry the canonical's name
    assert slow.name == "Slow Burn (Romance)" and slow.key == "slow burn (romance)"
    assert outbox() == sorted([w_slow, w_typo])
    with pytest.raises(WranglingError, match="another additional tag is named Found Family"):
        rename(slow, "found family")
    assert w_other not in outbox()


# ------------------------------------------------------------------------------------------ taxonomy


SMALL = {
    "fandoms": {
        "Torchwood": {"metatags": ["Doctor Who", "Doctor Who & Related Fandoms"]},
        "Doctor Who": {"metatags": ["Doctor Who & Related Fandoms"]},
        "Doctor Who & Related Fandoms": {},
        "Tidewater": {"metatags": ["Tidewater Saga"]},  # a cycle, as in the shipped data
        "Tidewater Saga": {"metatags": ["Tidewater"]},
        "Tidewater Shorts": {"metatags": ["Tidewater"]},
    },
    "characters": {"Ianto Jones": {"fandoms": {"Torchwood": 9}}, "Jack Harkness": {}},
    "relationships": ["Jack Harkness/Ianto Jones"],
    "freeforms": {"Slow Burn": ["slowburn"], "Angst": []},
}


def test_load_taxonomy_creates_canonicals_and_metatags_once(archive: object) -> None:
    from fanshelf.archive.models import MetaTagging, Tag
    from fanshelf.archive.wrangling import load_taxonomy
    from fanshelf.taxonomy import Taxonomy

    save(work("Before", tags=("Angst",)))  # not in the test taxonomy: an unwrangled tag
    angst = tag("Angst")
    assert not angst.wrangled
    seen: list[int] = []
    created = load_taxonomy(Taxonomy.from_data(SMALL), progress=seen.append)
    assert created == 6 + 2 + 1 + 1 and sum(seen) == created
    angst.refresh_from_db()
    assert not angst.wrangled  # existing tags are left as they are
    tw, dw, dwr = (tag(n, "Fandom") for n in ("Torchwood", "Doctor Who", "Doctor Who & Related Fandoms"))
    assert tw.canonical and tw.from_taxonomy and tag("Jack Harkness/Ianto Jones", "Relationship").canonical
    names = dict(Tag.objects.values_list("id", "name"))
    links = {(names[s], names[m]) for s, m in MetaTagging.objects.values_list("sub_tag_id", "meta_tag_id")}
    assert links == {("Torchwood", "Doctor Who"), ("Doctor Who", "Doctor Who & Related Fandoms"),
                     # the cycle is left for a wrangler; the subtag gets both sides
                     ("Tidewater Shorts", "Tidewater"), ("Tidewater Shorts", "Tidewater Saga")}
    assert dw.canonical and dwr.canonical
    assert load_taxonomy(Taxonomy.from_data(SMALL)) == 0
    assert_consistent()


def test_load_full_taxonomy_through_the_cli(archive: object, cli: Any) -> None:
    from fanshelf.archive.models import MetaTagging

    res = cli("load-taxonomy")
    assert res.exit_code == 0, res.output
    assert "canonical tags created" in res.output
    tw = tag("Torchwood", "Fandom")
    assert tw.canonical
    assert "Doctor Who" in set(MetaTagging.objects.filter(sub_tag=tw).values_list("meta_tag__name", flat=True))
    res = cli("load-taxonomy")
    assert res.exit_code == 0 and "0 canonical tags created" in res.output


# ------------------------------------------------------------------------------------------ admin


def _request() -> Any:
    from django.contrib.auth.models import User
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    req = RequestFactory().post("/admin/")
    req.user = User(username="wrangler", is_active=True, is_staff=True, is_superuser=True)
    req._messages = CookieStorage(req)
    return req


def _messages(req: Any) -> list[str]:
    return [str(m) for m in req._messages]


def test_admin_registrations_pass_djangos_checks(archive: object) -> None:
    from django.contrib import admin
    from django.core import checks

    from fanshelf.archive import models as m

    registered = set(admin.site._registry)
    assert {m.Tag, m.Work, m.Creator, m.Series, m.Collection, m.Source, m.ImportRun} <= registered
    tag_admin = admin.site._registry[m.Tag]
    assert tag_admin.list_display == ("name", "type", "canonical", "merger", "taggings_count")
    # the ModelAdmins themselves are sound (the settings' TEMPLATES/MIDDLEWARE are the web face's job)
    problems = [c for c in checks.run_checks(tags=[checks.Tags.admin]) if c.is_serious() and c.obj is not None]
    assert problems == []


def test_admin_save_model_merges_through_wrangling(archive: object) -> None:
    from django.contrib import admin

    from fanshelf.archive.models import Tag

    (wid,) = save(work("Admin", tags=("Slow Burnn",)))
    typo, slow = tag("Slow Burnn"), canonical_tag("Slow Burn")
    ma = admin.site._registry[Tag]
    req = _request()
    clear_outbox()
    Form = ma.get_form(req, typo, change=True)
    form = Form(data={"name": "Slow Burnn", "canonical": "", "merger": str(slow.id)}, instance=typo)
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    ma.save_model(req, obj, form, True)
    assert obj.merger_id == slow.id and not obj.canonical
    assert slow.id in filters(wid) and typo.id not in filters(wid) and outbox() == [wid]
    assert "1 work re-filtered" in " ".join(_messages(req))
    # merging into a tag that is not canonical is a form error, not a crash
    other = canonical_tag("Found Familly")
    Form = ma.get_form(req, other, change=True)
    bad = Form(data={"name": "Found Familly", "canonical": "", "merger": str(tag("Slow Burnn").id)},
               instance=other)
    assert not bad.is_valid() and "merge into Slow Burn instead" in str(bad.errors)
    assert_consistent()


def test_admin_actions_and_metatag_inline(archive: object) -> None:
    from django.contrib import admin

    from fanshelf.archive.admin import MetaTagFormSet, MetaTagInline
    from fanshelf.archive.models import MetaTagging, Tag

    w_a, w_b = save(work("A", tags=("Pining",)), work("B", tags=("Longing",)))
    ma = admin.site._registry[Tag]
    req = _request()
    ma.make_canonical_action(req, Tag.objects.filter(name__in=["Pining", "Longing"]))
    a, b = tag("Pining"), tag("Longing")
    assert a.canonical and b.canonical
    assert "2 tags made canonical" in " ".join(_messages(req))

    inline = MetaTagInline(Tag, admin.site)
    FormSet = inline.get_formset(req, a)
    prefix = FormSet.get_default_prefix()
    data = {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-0-meta_tag": str(b.id)}
    fs = FormSet(data, instance=a, prefix=prefix)
    assert isinstance(fs, MetaTagFormSet) and fs.is_valid(), fs.errors
    ParentForm = ma.get_form(req, a, change=True)
    ma.save_formset(req, ParentForm(instance=a), fs, True)
    assert MetaTagging.objects.filter(sub_tag=a, meta_tag=b).exists()
    assert filters(w_a) == {a.id: False, b.id: True}
    # a cycle is refused by the formset's validation
    FormSet = inline.get_formset(req, b)
    fs = FormSet({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0",
                  f"{prefix}-0-meta_tag": str(a.id)}, instance=b, prefix=prefix)
    assert not fs.is_valid() and "cycle" in str(fs.errors)
    ma.unwrangle_action(req, Tag.objects.filter(id=a.id))
    assert not tag("Pining").wrangled and filters(w_a) == {a.id: False} and filters(w_b) == {b.id: False}
    assert_consistent()


# ------------------------------------------------------------------------------------------ CLI


@pytest.fixture
def cli(archive: Any) -> Any:
    """Run ``fanshelf tags ...`` on the fixture's SQLite data folder (the CLI configures SQLite itself)."""
    from click.testing import CliRunner

    from fanshelf.cli_tags import tags

    if archive.database_url:
        pytest.skip("the CLI configures its own SQLite database from the data folder")

    def run(*args: str) -> Any:
        return CliRunner().invoke(tags, list(args), obj={"data": str(archive.data_dir)},
                                  env={"FANSHELF_DATABASE_URL": "", "FANSHELF_SEARCH": "tantivy"})

    return run


def test_cli_lists_and_wrangles(archive: object, cli: Any) -> None:
    save(work("One", tags=("Slow Burnn",)), work("Two", tags=("Slow Burnn",)),
         work("Three", tags=("Slow Burn",)), work("Four", tags=("Zebra Crossing",)))
    res = cli("list", "--json", "--type", "additional")
    assert res.exit_code == 0, res.output
    assert [(r["name"], r["uses"]) for r in json.loads(res.stdout)] == [("Slow Burnn", 2), ("Zebra Crossing", 1)]
    res = cli("list", "--limit", "1")
    assert res.exit_code == 0 and "Slow Burnn" in res.stdout and "Zebra" not in res.stdout

    res = cli("merge", "slow burnn", "Slow Burn")
    assert res.exit_code == 0, res.output
    assert "Slow Burnn is now a synonym of Slow Burn; 2 works re-filtered" in res.stdout
    assert tag("Slow Burnn").merger_id == tag("Slow Burn").id
    res = cli("canonical", "Zebra Crossing", "--type", "freeform")
    assert res.exit_code == 0 and "Zebra Crossing is now canonical; 0 works re-filtered" in res.stdout
    res = cli("meta", "Zebra Crossing", "Slow Burn")
    assert res.exit_code == 0 and "Zebra Crossing is now a subtag of Slow Burn; 1 work re-filtered" in res.stdout
    res = cli("meta", "Zebra Crossing", "Slow Burn", "--remove")
    assert res.exit_code == 0 and "no longer a subtag of Slow Burn" in res.stdout
    res = cli("unwrangle", str(tag("Slow Burnn").id))
    assert res.exit_code == 0 and "Slow Burnn is unwrangled again; 2 works re-filtered" in res.stdout
    assert_consistent()
    # the index follows: drained, or the works stay queued with a warning
    assert outbox() == [] or "warning: the search index was not updated" in res.stderr


def test_cli_errors_exit_2(archive: object, cli: Any) -> None:
    save(work("Err", tags=("Slow Burnn", "Slow Burn")))
    res = cli("merge", "Slow Burn", "Slow Burnn")
    assert res.exit_code == 2 and "Slow Burnn is not canonical" in res.stderr
    res = cli("merge", "Nonexistent Tag", "Slow Burn")
    assert res.exit_code == 2 and "no tag named 'Nonexistent Tag'" in res.stderr
    res = cli("canonical", "Slow Burnn", "--type", "genre")
    assert res.exit_code == 2 and "unknown tag type" in res.stderr
