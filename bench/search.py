"""Search benchmark: Whoosh through the JSON API against SQLite FTS5 (one row per cue), on both indexing paths.

Generates the same corpus every run from a seed (films × languages × cues, Zipf-distributed words
per language in Latin, Cyrillic, Armenian and Azerbaijani Latin script), stores it in a SQLite
archive, rebuilds the index exactly as ``flask search reindex`` does (indexing cues/s), loads the
same cues into an FTS5 table, then runs a fixed set of queries (common, rare, phrases, prefixes,
with and without a facet filter) through ``GET /api/v1/search`` and against FTS5.

Then the everyday path (``bench/search_uploads.py``): a second archive with the same films, a real
``flask worker`` process, and every track uploaded through ``POST /api/v1/items/<id>/subtitles``
one at a time; it reports the time from the first upload to the last track searchable, the index
size on disk, the worker's peak memory, and the same queries against the index built that way
(``--skip-uploads`` leaves this part out).

FTS5 reference query per search: the top 20 cues by bm25 with a snippet
(``... WHERE cues_fts MATCH ? ORDER BY rank LIMIT 20``).

    .venv/bin/python bench/search.py                       # 1,000,000 cues (500 × 4 × 500)
    .venv/bin/python bench/search.py --films 50 --queries 200   # quick run
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert  # noqa: E402

from archive import create_app  # noqa: E402
from archive.catalogue.models import Item  # noqa: E402
from archive.extensions import db  # noqa: E402
from archive.subtitles.models import Cue, SubtitleTrack  # noqa: E402

ALPHABETS = {
    "en": ("bcdfghklmnprstvwz", "aeiou"),
    "ru": ("бвгдзклмнпрстфхцчш", "аеиоуыяёю"),
    "hy": ("բգդզթժլխծկհձղճմյնշչպջռսվտրցփքֆ", "աեէըիոու"),
    "az": ("bcçdfgğhxjkqlmnprsştvyz", "aeəıioöuü"),
}
VOCABULARY = 20_000
KINDS = ["common", "rare", "phrase", "prefix", "two words"]  # query n is of kind n % 5


def vocabulary(rng: random.Random, lang: str) -> list[str]:
    """Distinct made-up words in the language's script, shortest (most frequent) first."""
    consonants, vowels = ALPHABETS[lang]
    words: set[str] = set()
    ordered = []
    while len(ordered) < VOCABULARY:
        syllables = 1 + min(4, int(rng.expovariate(1.0)) + (len(ordered) > 200))
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))
        if word not in words:
            words.add(word)
            ordered.append(word)
    return ordered


def build_corpus(args) -> tuple[dict[str, list[str]], list[tuple]]:
    """Return the vocabularies and the cue rows (item, lang, position, start, end, text)."""
    rng = random.Random(args.seed)
    vocab = {lang: vocabulary(rng, lang) for lang in args.langs}
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(VOCABULARY)))
    rows = []
    for film in range(args.films):
        for lang in args.langs:
            clock = 0.0
            for position in range(args.cues):
                words = rng.choices(vocab[lang], cum_weights=cumulative, k=rng.randint(4, 12))
                start = clock + rng.uniform(0.2, 2.0)
                end = start + rng.uniform(1.0, 4.0)
                clock = end
                text = " ".join(words)
                rows.append((film, lang, position, round(start, 3), round(end, 3), text[0].upper() + text[1:] + "."))
    return vocab, rows


def make_queries(args, vocab: dict[str, list[str]], rows: list[tuple]) -> list[tuple[str, dict, str]]:
    """(query text, API facet params, FTS5 MATCH expression) for each query, fixed by the seed."""
    rng = random.Random(args.seed + 1)
    queries = []
    kinds = KINDS
    while len(queries) < args.queries:
        kind = kinds[len(queries) % len(kinds)]
        lang = rng.choice(args.langs)
        words = vocab[lang]
        if kind == "common":
            text = rng.choice(words[:50])
        elif kind == "rare":
            text = rng.choice(words[5000:])
        elif kind == "phrase":
            cue = rng.choice(rows)[5].rstrip(".").lower().split()
            begin = rng.randrange(0, len(cue) - 1)
            text = '"' + " ".join(cue[begin:begin + 2]) + '"'
        elif kind == "prefix":
            text = rng.choice([w for w in words[100:3000] if len(w) >= 5])[:4] + "*"
        else:
            text = rng.choice(words[:500]) + " " + rng.choice(words[:2000])
        facet = {"subtitle_lang": lang} if len(queries) % 2 else {}
        match = text if not facet else f"{text} AND lang:{lang}"
        queries.append((text, facet, match))
    return queries


def load() -> str:
    """The machine's load averages: the bench shares its cores, and the figures depend on it."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--films", type=int, default=500, help="films in the corpus")
    parser.add_argument("--langs", nargs="+", default=["en", "ru", "hy", "az"], help="subtitle languages per film")
    parser.add_argument("--cues", type=int, default=500, help="cues per track")
    parser.add_argument("--queries", type=int, default=240, help="number of queries (at least 200 for the report)")
    parser.add_argument("--seed", type=int, default=2026, help="corpus seed: the same seed gives the same corpus")
    parser.add_argument("--workdir", default=None, help="folder for the database and indexes (default: a temp folder)")
    parser.add_argument("--skip-uploads", action="store_true", help="measure the bulk rebuild only")
    args = parser.parse_args()

    workdir = args.workdir or tempfile.mkdtemp(prefix="search-bench-")
    os.makedirs(workdir, exist_ok=True)
    total_cues = args.films * len(args.langs) * args.cues
    print(f"machine: {os.cpu_count()} cores, {load()} at the start")
    print(f"corpus: {args.films} films × {len(args.langs)} languages × {args.cues} cues = {total_cues:,} cues "
          f"(seed {args.seed}); work folder {workdir}", flush=True)

    started = time.perf_counter()
    vocab, rows = build_corpus(args)
    # The corpus is a million tuples the server process would never hold: keep them out of the
    # garbage collector's full passes, which would otherwise stall the timed parts for ~0.1 s each.
    gc.collect()
    gc.freeze()
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)

    app = create_app({"INSTANCE_PATH": os.path.join(workdir, "instance"), "SECRET_KEY": "bench", "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{os.path.join(workdir, 'archive.db')}", "QUEUE_URL": "memory:",
                      "API_LIMIT": "1000000 per minute"})  # measures search, not the rate limit
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        items = [{"id": n + 1, "kind": "film", "title": {"en": f"Film {n}"}, "description": {}, "countries": [],
                  "languages": [args.langs[n % len(args.langs)]], "rights_note": "", "year": 1990 + n % 35,
                  "visibility": "public" if n % 10 else "partners"} for n in range(args.films)]
        db.session.execute(insert(Item), items)
        tracks = {}
        for film in range(args.films):
            for lang in args.langs:
                tracks[(film, lang)] = len(tracks) + 1
        db.session.execute(insert(SubtitleTrack), [
            {"id": track_id, "item_id": film + 1, "lang": lang, "encoding": "utf-8", "vtt_key": f"bench/{track_id}",
             "cue_count": args.cues, "warnings": []} for (film, lang), track_id in tracks.items()
        ])
        for chunk in range(0, len(rows), 50_000):
            db.session.execute(insert(Cue), [
                {"track_id": tracks[(film, lang)], "position": position, "start": start, "end": end, "text": text,
                 "plain": text} for film, lang, position, start, end, text in rows[chunk:chunk + 50_000]
            ])
        db.session.commit()
        print(f"database loaded in {time.perf_counter() - started:.1f} s", flush=True)

        from archive.search import indexer

        started, cpu_started = time.perf_counter(), time.process_time()
        counts = indexer.rebuild()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        whoosh_rate = counts["cues"] / seconds
        print(f"Whoosh index (flask search reindex path): {counts['cues']:,} cues in {seconds:.1f} s "
              f"= {whoosh_rate:,.0f} cues/s (CPU {cpu_seconds:.1f} s = {counts['cues'] / cpu_seconds:,.0f} cues per "
              f"CPU second; {load()})", flush=True)

        fts_path = os.path.join(workdir, "fts5.db")
        if os.path.exists(fts_path):
            os.remove(fts_path)
        fts = sqlite3.connect(fts_path)
        fts.execute("CREATE VIRTUAL TABLE cues_fts USING fts5(text, item_id UNINDEXED, lang, start UNINDEXED, "
                    "end UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
        started = time.perf_counter()
        fts.executemany("INSERT INTO cues_fts (text, item_id, lang, start, end) VALUES (?, ?, ?, ?, ?)",
                        ((text, film + 1, lang, start, end) for film, lang, _, start, end, text in rows))
        fts.commit()
        fts_seconds = time.perf_counter() - started
        print(f"FTS5 load: {len(rows):,} cues in {fts_seconds:.1f} s = {len(rows) / fts_seconds:,.0f} cues/s", flush=True)

        queries = make_queries(args, vocab, rows)
        print("index built by the bulk rebuild:", index_shape(), flush=True)
        bulk = time_queries(app, fts, queries)
        report_queries(bulk, label="bulk rebuild")
        print(f"machine: {os.cpu_count()} cores, {load()} after the bulk path")
    goals = [("indexing ≥ 20,000 cues/s (bulk rebuild)", whoosh_rate >= 20_000, f"{whoosh_rate:,.0f}"),
             *query_goals(bulk, "bulk rebuild")]
    if not args.skip_uploads:
        from bench.search_uploads import upload_path

        uploads = upload_path(args, rows, workdir, lambda a: time_queries(a, fts, queries), index_shape, load)
        report_queries(uploads["queries"], label="uploaded track by track")
        goals.append(("indexing ≥ 20,000 cues/s (track by track, first upload to last searchable)",
                      uploads["rate"] >= 20_000, f"{uploads['rate']:,.0f}"))
        goals.extend(query_goals(uploads["queries"], "track by track"))
    print(f"machine: {os.cpu_count()} cores, {load()} at the end")
    for goal, met, figure in goals:
        print(f"goal {goal}: {'met' if met else 'NOT met'} ({figure})")


def index_shape() -> str:
    """Segments and size on disk of the current app's index."""
    from archive.search import store

    path = store.index_path()
    size = sum(os.path.getsize(os.path.join(path, name)) for name in os.listdir(path))
    return f"{len(store.open_index()._segments())} segment(s), {size / 2**20:,.0f} MiB on disk"


def time_queries(app, fts, queries) -> dict:
    """Run every query through the API and against FTS5; the timings of each."""
    client = app.test_client()
    # Warm both once (file caches, searcher) so neither pays a first-use cost inside the timings.
    client.get("/api/v1/search", query_string={"q": queries[0][0]})
    fts.execute("SELECT count(*) FROM cues_fts WHERE cues_fts MATCH ?", (queries[0][2],)).fetchall()
    api_times, api_cpu, fts_times, api_totals = [], [], [], []
    for text, facet, match in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/api/v1/search", query_string={"q": text, **facet})
        api_times.append(time.perf_counter() - started)
        api_cpu.append(time.process_time() - cpu_started)
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code} for {text!r}: {response.get_data(as_text=True)}")
        api_totals.append(response.get_json()["total"])

        started = time.perf_counter()
        fts.execute(
            "SELECT item_id, start, end, snippet(cues_fts, 0, '<mark>', '</mark>', '…', 12) FROM cues_fts "
            "WHERE cues_fts MATCH ? ORDER BY rank LIMIT 20", (match,)
        ).fetchall()
        fts_times.append(time.perf_counter() - started)
    return {"api": api_times, "cpu": api_cpu, "fts": fts_times, "totals": api_totals}


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def report_queries(timed: dict, *, label: str) -> None:
    """Print the p50/p95 of the API and of FTS5."""
    print(f"queries on the index built by {label}: {len(timed['api'])} (common, rare, phrase, prefix, two words; "
          f"half with subtitle_lang filter); items found per query: median {statistics.median(timed['totals']):.0f}")
    print(f"  Whoosh via JSON API: p50 {_ms(percentile(timed['api'], 0.5))}  p95 {_ms(percentile(timed['api'], 0.95))}"
          f"  (CPU p50 {_ms(percentile(timed['cpu'], 0.5))}  p95 {_ms(percentile(timed['cpu'], 0.95))})")
    print(f"  SQLite FTS5:         p50 {_ms(percentile(timed['fts'], 0.5))}  p95 {_ms(percentile(timed['fts'], 0.95))}"
          f"  (API p95 / FTS5 p95 = {percentile(timed['api'], 0.95) / percentile(timed['fts'], 0.95):.2f})", flush=True)
    for number, kind in enumerate(KINDS):
        api, fts = timed["api"][number::len(KINDS)], timed["fts"][number::len(KINDS)]
        print(f"    {kind:<9}  API p50 {_ms(percentile(api, 0.5))}  p95 {_ms(percentile(api, 0.95))}   "
              f"FTS5 p50 {_ms(percentile(fts, 0.5))}  p95 {_ms(percentile(fts, 0.95))}", flush=True)


def query_goals(timed: dict, label: str) -> list[tuple[str, bool, str]]:
    """The query goals: API p95 at most FTS5's, aiming at half of it."""
    ratio = percentile(timed["api"], 0.95) / percentile(timed["fts"], 0.95)
    return [(f"API p95 ≤ FTS5 p95 ({label})", ratio <= 1.0, f"ratio {ratio:.2f}"),
            (f"API p95 ≤ 0.5 × FTS5 p95 ({label})", ratio <= 0.5, f"ratio {ratio:.2f}")]


if __name__ == "__main__":
    main()
