"""The faster paths give what Whoosh's own would: the rebuild writer, phrase and prefix matching,
best moments, and the per-searcher attribute cache (which must never delay a visibility change)."""

from __future__ import annotations

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.formats import Positions
from whoosh.query import Phrase, Prefix

from archive.catalogue import operations as catalogue
from archive.jobs.operations import drain
from archive.search import matchers, parsing, store, visibility
from archive.search.analysis import ANALYSES
from archive.search.bulkwrite import RebuildWriter
from archive.search.matchers import CuePhrase, CuePrefix
from archive.search.schema import TEXT_FIELDS, build_schema, pack_starts
from tests.factories import make_film
from tests.search.helpers import index_by_doc_id, srt

WORDS = ["amal", "bor", "cen", "dov", "ezra", "fin", "gol", "hek", "ivo", "jal", "kor", "lum"]


def _documents(count: int, seed: int = 7, words: list[str] = WORDS) -> list[dict]:
    """Track and item documents with a small vocabulary, so every term has many postings."""
    rng = random.Random(seed)
    documents = []
    for number in range(count):
        text = [rng.choice(words) for _ in range(rng.randint(1, 40))]
        track = number % 3 != 0
        document = {
            "doc_id": f"{'t' if track else 'i'}{number}", "doctype": "track" if track else "item",
            "item": str(number // 3), "item_id": number // 3, "track_id": number if track else 0,
            "kind": "film", "lang": "en,ru", "theme": "war,memory", "collection": "3", "visibility": "public",
            "embargo": 0, "year": 1990 + number % 20, text_field_for(number): " ".join(text),
        }
        if track:
            document["subtitle_lang"] = ["en", "ru", "az"][number % 3]
            document["cue_starts"] = pack_starts([0, len(text) // 2])
        else:
            document["title"] = f"Film {number} {text[0]}"
        documents.append(document)
    return documents


def text_field_for(number: int) -> str:
    return ("text_en", "text_ru", "text_az", "text_xx")[number % 4]


def _build(path, documents, *, bulk: bool):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    if bulk:
        codec = store.codec()
        codec.length_stats = False
        batch = RebuildWriter(ix.writer(codec=codec, compound=False))
        for document in documents:
            batch.add_document(**document)
        batch.commit()
    else:
        with store.writer(str(path)) as batch:
            for document in documents:
                batch.add_document(**document)
    return whoosh_index.open_dir(str(path))


def _contents(ix) -> dict:
    """Every term's postings (document, weight, positions), stored fields and field lengths."""
    found: dict = {}
    with ix.reader() as reader:
        for fieldname, btext in reader.all_terms():
            postings = reader.postings(fieldname, btext)
            rows = []
            while postings.is_active():
                positions = postings.value_as("positions") if fieldname in TEXT_FIELDS else None
                rows.append((postings.id(), postings.weight(), positions))
                postings.next()
            found[(fieldname, btext)] = rows
        found["stored"] = list(reader.all_stored_fields())
        found["lengths"] = [
            [reader.doc_field_length(docnum, fieldname) for fieldname in TEXT_FIELDS + ("title",)]
            for docnum in range(reader.doc_count_all())
        ]
    return found


def test_rebuild_writer_writes_what_the_ordinary_writer_writes(tmp_path):
    documents = _documents(700)  # common words span several 128-posting blocks
    ordinary = _contents(_build(tmp_path / "ordinary", documents, bulk=False))
    bulk = _contents(_build(tmp_path / "bulk", documents, bulk=True))
    assert bulk == ordinary
    assert max(len(rows) for key, rows in ordinary.items() if key[0] in TEXT_FIELDS) > 128


@pytest.mark.parametrize("phrase", [["bor", "cen"], ["amal", "amal"], ["dov", "ezra", "fin"], ["cen", "bor", "cen"]])
def test_phrase_matching_agrees_with_whoosh(tmp_path, phrase):
    # 700 documents: the common words' postings span several blocks in each field.
    ix = _build(tmp_path / "ix", _documents(700, seed=11, words=WORDS[:6]), bulk=True)
    with ix.searcher() as searcher:
        for fieldname in ("text_en", "text_ru"):
            # The Russian analysis reads Latin letters as Russian typed in Latin ("bor" → "бор").
            terms = [ANALYSES[fieldname[5:]].term(word) for word in phrase]
            expected = set(Phrase(fieldname, terms).docs(searcher))
            assert set(CuePhrase(fieldname, terms).docs(searcher)) == expected
            assert expected  # the corpus holds each phrase somewhere


def test_phrases_in_an_index_built_before_cue_positions(tmp_path):
    """An index written with Whoosh's own positions format (before this one) still answers phrases."""
    schema = build_schema()
    for fieldname in TEXT_FIELDS:
        schema[fieldname].format = Positions(field_boost=1.0)
    path = tmp_path / "old"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), schema)
    with ix.writer() as batch:
        for document in _documents(200, seed=3, words=WORDS[:4]):
            batch.add_document(**document)
    with ix.searcher() as searcher:
        expected = set(Phrase("text_en", ["bor", "cen"]).docs(searcher))
        assert expected and set(CuePhrase("text_en", ["bor", "cen"]).docs(searcher)) == expected
        # Later updates keep writing the format the index was built with.
        postings = searcher.reader().postings("text_en", b"bor")
        assert postings.value_as("positions") == Positions().decode_positions(postings.value())


def test_phrase_scores_grow_with_occurrences(tmp_path):
    path = tmp_path / "ix"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    with store.writer(str(path)) as batch:
        batch.add_document(doc_id="t1", text_en="bor cen bor cen bor cen")
        batch.add_document(doc_id="t2", text_en="bor cen cen bor")
        batch.add_document(doc_id="t3", text_en="cen bor")
    with ix.searcher() as searcher:
        scores = dict(searcher.search(CuePhrase("text_en", ["bor", "cen"]), limit=None).items())
    assert set(scores) == {0, 1} and scores[0] > scores[1] > 0


@pytest.mark.parametrize("prefix", ["bo", "am", "ce", "ko", "zz"])
def test_prefix_matching_agrees_with_whoosh(tmp_path, prefix):
    ix = _build(tmp_path / "ix", _documents(700, seed=5), bulk=True)
    with ix.searcher() as searcher:
        for fieldname in ("text_en", "text_az"):
            assert set(CuePrefix(fieldname, prefix).docs(searcher)) == set(Prefix(fieldname, prefix).docs(searcher))


def test_typed_phrases_and_prefixes_use_the_fast_forms(app):
    query = parsing.parse_query('"bor cen" amal* title:"two words"')
    leaves = list(query.leaves())
    assert {type(leaf) for leaf in leaves if getattr(leaf, "fieldname", "") in TEXT_FIELDS} == {CuePhrase, CuePrefix}
    assert any(type(leaf) is Phrase and leaf.fieldname == "title" for leaf in leaves)


def test_best_moments_hold_most_query_words_and_hit_count_counts_cues(client, app):
    make_film("Crossings", tracks={"en": srt(
        (1.0, 2.0, "The river at dawn."),
        (3.0, 4.0, "A bridge."),
        (5.0, 6.0, "The bridge over the river."),
        (7.0, 8.0, "Another river."),
    )})
    body = client.get("/api/v1/search", query_string={"q": "river OR bridge"}).get_json()
    result = body["items"][0]
    assert result["hit_count"] == 4
    assert result["hits"][0]["start"] == 5.0  # both words in one cue comes first
    assert [hit["start"] for hit in result["hits"][1:]] == [1.0, 3.0]  # then the earliest


def test_attribute_cache_never_delays_visibility_and_expires(client, app, monkeypatch):
    series = catalogue.create_collection({"kind": "series", "title": {"en": "Night series"}, "visibility": "public"})
    item = make_film("Quiet film", tracks={"en": srt((1.0, 2.0, "lullaby for the night"))}, collections=[series.id])
    facets = client.get("/api/v1/search?q=lullaby").get_json()["facets"]
    assert [f["label"] for f in facets["collection"]] == ["Night series"]
    # A hidden collection's name goes at once, though the searcher (and its cache) is unchanged.
    series.visibility = "restricted"
    from archive.extensions import db

    db.session.commit()
    assert client.get("/api/v1/search?q=lullaby").get_json()["facets"]["collection"] == []
    # So does the item itself.
    catalogue.update_item(item, {"visibility": "restricted"})
    assert client.get("/api/v1/search?q=lullaby").get_json()["total"] == 0
    catalogue.update_item(item, {"visibility": "public", "year": 1961})
    drain()
    # Other attributes follow within ATTRIBUTE_CACHE_SECONDS (here: at once).
    monkeypatch.setattr(visibility, "ATTRIBUTE_CACHE_SECONDS", 0.0)
    years = client.get("/api/v1/search?q=lullaby").get_json()["facets"]["year"]
    assert years == [{"value": 1961, "count": 1}]


def test_plain_unions_give_the_same_documents_and_scores(tmp_path):
    from whoosh.query import Or, Term

    ix = _build(tmp_path / "ix", _documents(700, seed=9), bulk=True)

    def union():
        return Or([Term(field, word) for field in ("text_en", "text_ru", "text_az") for word in ("bor", "cen", "kor")])

    plain = union()
    parsing._plain_unions(plain)
    assert plain.matcher_type == Or.DEFAULT_MATCHER
    with ix.searcher() as searcher:
        expected = dict(searcher.search(union(), limit=None).items())
        found = dict(searcher.search(plain, limit=None).items())
    assert found.keys() == expected.keys() and len(found) > 300
    assert all(abs(found[docnum] - score) < 1e-6 for docnum, score in expected.items())


def test_rebuild_writer_terms_are_the_bytes_whoosh_writes(tmp_path, monkeypatch):
    from archive.search import bulkwrite

    documents = _documents(700, seed=13)  # common words span several 128-posting blocks, rare ones one posting

    def files(folder) -> dict[str, bytes]:
        ix = _build(tmp_path / folder, documents, bulk=True)
        segment = ix._segments()[0]
        return {name.rsplit(".", 1)[1]: (tmp_path / folder / name).read_bytes()
                for name in ix.storage.list() if name.startswith(segment.segment_id())}

    fast, again = files("fast"), files("again")
    monkeypatch.setattr(bulkwrite, "_write_terms", bulkwrite._write_terms_one_by_one)
    whoosh = files("whoosh")
    # The term and posting files are what the writer makes; each build writes them the same bytes.
    assert again["trm"] == fast["trm"] and again["pst"] == fast["pst"]
    assert fast["trm"] == whoosh["trm"]
    assert fast["pst"] == whoosh["pst"]


def test_prefix_words_come_from_each_segments_sorted_words(tmp_path):
    # Two segments (the second written by another writer): the words of both, once each, in order.
    documents = _documents(400, seed=11)
    ix = _build(tmp_path / "ix", documents[:200], bulk=True)
    with store.writer(str(tmp_path / "ix")) as batch:
        for document in documents[200:]:
            batch.add_document(**{**document, "doc_id": document["doc_id"] + "-b"})
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert not reader.is_atomic()
        for fieldname in ("text_en", "text_az", "title"):
            for prefix in ("b", "bo", "ko", "lum", "zz", ""):
                assert matchers.expand_prefix(reader, fieldname, prefix) == list(reader.expand_prefix(fieldname, prefix))
                for leaf, _ in reader.leaf_readers():
                    assert matchers.expand_prefix(leaf, fieldname, prefix) == list(leaf.expand_prefix(fieldname, prefix))
        assert matchers.expand_prefix(reader, "no_such_field", "bo") == []
        segment_id = reader.leaf_readers()[0][0].segment().segment_id()
    # A reopened searcher finds an unchanged segment's words kept.
    assert (segment_id, "text_en") in matchers._lexicons
    with ix.searcher() as searcher:
        assert set(CuePrefix("text_en", "bo").docs(searcher)) == set(Prefix("text_en", "bo").docs(searcher))


def test_the_words_kept_are_bounded(tmp_path, monkeypatch):
    ix = _build(tmp_path / "ix", _documents(100, seed=3), bulk=True)
    monkeypatch.setattr(matchers, "LEXICON_CACHE_WORDS", 1)
    monkeypatch.setattr(matchers, "_lexicons", matchers.OrderedDict())
    monkeypatch.setattr(matchers, "_lexicon_words", 0)
    with ix.searcher() as searcher:
        for fieldname in ("text_en", "text_az", "text_xx"):
            assert matchers.expand_prefix(searcher.reader(), fieldname, "b")
    assert len(matchers._lexicons) == 1  # the last field's words only


def test_a_parsed_query_is_kept_and_never_changed_by_a_readers_collections(app):
    from whoosh.query import Term

    from archive.auth import operations as accounts

    query = parsing.parse_query("collection:5 river")
    assert parsing.parse_query("collection:5 river") is query
    # An anonymous reader may not see collection 5: their copy matches nothing, the kept one is as parsed.
    hidden = visibility.hide_unseen_collections(query, None)
    assert visibility.NO_COLLECTION in list(hidden.leaves())
    assert Term("collection", "5") in list(query.leaves())
    staff = accounts.create_user("staff-parse@example.org", "a long password 2026", "admin")
    assert visibility.hide_unseen_collections(parsing.parse_query("collection:5 river"), staff) is query


def test_a_page_of_moments_and_many_moments_fetch_the_same_cues(client, app, monkeypatch):
    from archive.search import hits

    lines = [(float(n), n + 0.5, f"river number {n}") for n in range(1, 41)]
    item = make_film("Many rivers", tracks={"en": srt(*lines), "ru": srt(*[(s, e, "река") for s, e, _ in lines])})

    def moments():
        from archive.search.queries import search

        found = search("river", user=None, item_id=item.id, hits_per_item=1000)
        return [(hit.track_id, hit.position, hit.start, str(hit.snippet)) for hit in found.items[0].hits]

    few = moments()
    assert len(few) == 40 and few[0][2] == 1.0 and "<mark>river</mark>" in few[0][3]
    monkeypatch.setattr(hits, "CUE_PAIRS_PER_QUERY", 10)  # forty moments: the grouped statement
    assert moments() == few


def test_a_kept_parsed_query_follows_the_analysis_in_use(app):
    from archive.search import analysis

    current = parsing.parse_query("беженцы")
    try:
        analysis.select_analysis("legacy")
        legacy = parsing.parse_query("беженцы")
    finally:
        analysis.select_analysis("current")
    assert legacy is not current and str(legacy) != str(current)
    assert str(parsing.parse_query("беженцы")) == str(current)


@pytest.mark.parametrize("typed", ["bor", "bor cen", "bor OR kor OR lum", '"bor cen"', "bo*", "bor NOT cen", "kind:film", "kind:film bor"])
def test_scoring_every_match_gives_what_whoosh_search_gives(tmp_path, app, typed):
    from archive.search.queries import _scored

    documents = _documents(500, seed=13)
    ix = _build(tmp_path / "ix", documents[:300], bulk=True)
    with store.writer(str(tmp_path / "ix")) as batch:  # a second segment, and deletions in the first
        for document in documents[300:]:
            batch.add_document(**document)
        batch.delete_by_term("doc_id", documents[4]["doc_id"])
    query = parsing.parse_query(typed)
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 2 and searcher.reader().has_deletions()
        allowed = {docnum for docnum in range(searcher.doc_count_all()) if docnum % 3}
        for subset in (None, allowed):
            expected = dict(searcher.search(query, filter=subset, limit=None).items())
            found = dict(_scored(searcher, query, subset))
            assert found == expected and found


@pytest.mark.parametrize("compound", [False, True])
def test_copied_segments_hold_what_writing_the_documents_afresh_gives(tmp_path, compound):
    documents = _documents(400, seed=21)
    expected = _build(tmp_path / "fresh", documents, bulk=True)
    (tmp_path / "merged").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "merged"), build_schema())
    for part in (documents[:150], documents[150:390]):  # two segments, as index runs leave them
        with ix.writer(codec=store.codec(), compound=compound) as writer:
            for document in part:
                writer.add_document(**document)
            writer.mergetype = lambda writer, segments: segments
    codec = store.codec()
    codec.length_stats = False
    writer = ix.writer(codec=codec, compound=False)
    writer.delete_by_term("doc_id", "t5")  # dropped from the copy, then written again below
    batch = RebuildWriter(writer)
    copied = [batch.add_segment(segment) for segment in writer.segments]
    for document in [documents[5], *documents[390:]]:
        batch.add_document(**document)
    writer.commit(mergetype=lambda writer, segments: [])
    merged = whoosh_index.open_dir(str(tmp_path / "merged"))
    assert copied == [149, 240] and len(merged._segments()) == 1
    assert index_by_doc_id(merged) == index_by_doc_id(expected)

