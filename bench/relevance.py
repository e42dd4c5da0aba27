"""Relevance of the search analysis: recall@10 and MRR per language and kind of query, before and after.

Reads ``bench/relevance/<lang>.tsv`` (cues, and queries with the cues each must find; see the
README there), indexes every cue of the four languages together in memory, one document per cue,
with the schema and query parser the archive uses, and runs each query with the ``legacy``
analysis (Snowball stems, folding; analysis version 1) and the ``current`` one. Then counts
collisions: of a 20,000-word vocabulary per language, how many words share an index key with
another word, and how many with a word of another lemma (a false match), before and after. Forms
of one lemma sharing a key is the point of the analysis; sharing one with another lemma is the
cost. The lemma each word is checked against comes from simplemma's dictionaries (the Armenian
and English analyses use them too, so those counts flatter the analysis) or, for Azerbaijani,
from the generator of its forms.

    .venv/bin/python bench/relevance.py               # relevance and collisions
    .venv/bin/python bench/relevance.py --no-collisions
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from whoosh.filedb.filestore import RamStorage  # noqa: E402

from archive.search import analysis  # noqa: E402
from archive.search.parsing import QueryError, parse_query  # noqa: E402
from archive.search.schema import build_schema, text_field  # noqa: E402

LANGUAGES = ("hy", "az", "ru", "en")
KINDS = ("exact", "form", "folded", "script", "prefix")
FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "relevance")
TOP = 10
VOCABULARY = 20_000


def load(folder: str = FOLDER) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str, set[str]]]]:
    """Cues by id (language, text) and queries (language, kind, typed, expected cue ids)."""
    cues: dict[str, tuple[str, str]] = {}
    queries: list[tuple[str, str, str, set[str]]] = []
    for lang in LANGUAGES:
        with open(os.path.join(folder, f"{lang}.tsv"), encoding="utf-8") as lines:
            for line in lines:
                parts = line.rstrip("\n").split("\t")
                if parts[0] == "cue":
                    cues[parts[1]] = (lang, parts[2])
                elif parts[0] == "query":
                    if parts[1] not in KINDS:
                        raise SystemExit(f"{lang}.tsv: unknown kind {parts[1]!r}")
                    queries.append((lang, parts[1], parts[2], set(parts[3].split())))
    missing = {cue for *_, expected in queries for cue in expected if cue not in cues}
    if missing:
        raise SystemExit(f"queries name cues that are not in the files: {sorted(missing)}")
    return cues, queries


def run(name: str, cues: dict, queries: list, show_misses: bool = False) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(recall@10, reciprocal rank) of every query, by (language, kind), with analysis ``name``."""
    analysis.select_analysis(name)
    ix = RamStorage().create_index(build_schema())
    with ix.writer() as writer:
        for cue_id, (lang, text) in cues.items():
            writer.add_document(doc_id=cue_id, **{text_field(analysis.family_of(lang)): text})
    scores: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    with ix.searcher() as searcher:
        for lang, kind, typed, expected in queries:
            try:
                found = [hit["doc_id"] for hit in searcher.search(parse_query(typed), limit=TOP)]
            except QueryError:
                found = []
            recall = len(expected.intersection(found)) / len(expected)
            rank = next((n for n, cue in enumerate(found, start=1) if cue in expected), None)
            if show_misses and (recall < 1 or rank != 1):
                print(f"  {name} {lang} {kind} {typed!r}: missed {sorted(expected - set(found))}, top {found[:4]}")
            scores[(lang, kind)].append((recall, 1 / rank if rank else 0.0))
    return scores


def _mean(rows: list[tuple[float, float]]) -> tuple[float, float]:
    return (sum(r for r, _ in rows) / len(rows), sum(m for _, m in rows) / len(rows)) if rows else (0.0, 0.0)


def report_relevance(before: dict, after: dict) -> None:
    """The table: per language and kind, then per language, recall@10 and MRR before → after."""
    print(f"{'lang':4} {'kind':7} {'queries':>7}  {'recall@10 before → after':>25}  {'MRR before → after':>19}")
    for lang in LANGUAGES:
        for kind in KINDS + ("all",):
            keys = [(lang, k) for k in KINDS] if kind == "all" else [(lang, kind)]
            rows_before = [row for key in keys for row in before.get(key, [])]
            rows_after = [row for key in keys for row in after.get(key, [])]
            if not rows_after:
                continue
            (rb, mb), (ra, ma) = _mean(rows_before), _mean(rows_after)
            print(f"{lang:4} {kind:7} {len(rows_after):7}  {rb:11.3f} → {ra:.3f}{'':7}  {mb:7.3f} → {ma:.3f}")
        print()


# Azerbaijani has no packaged dictionary: its vocabulary is generated, every noun through plural,
# possessive and case, every verb through infinitive, past, present and evidential with persons.
AZ_NOUNS = """
ad ağac ailə alma ana ara arı at ata axşam ay ayaq baba bacı bağ bahar baş bayraq bazar bıçaq bina
bulaq bulud buz can çay çiçək çörək dağ damla dayı dəniz dərə dərs dil dialoq divar dost duz düşmən
dünya ev əl ərik əsgər fikir film gecə gəmi gənc göl göz gül gün günəş hava həkim həyat həftə
heyvan hüquq il insan iş işıq jurnalist kağız kamera kənd kişi kitab köçkün körpü küçə kütlə
qab qadın qapı qar qardaş qaçqın qayıq qəzet qız qonşu qələm qəsəbə qış quş qum qüvvə
lampa lent məktəb məktub meşə meydan mənzil millət mövzu musiqi müharibə müəllim nənə nəfəs
nəğmə ocaq oğul otaq ot oyun palıd pəncərə pul radio rəng sahil saat səhər səs sərhəd sevgi
sınaq söz su sülh süfrə şəhər şəkil şeir stol tarix tarla təpə torpaq tüfəng uşaq ulduz ürək
vaxt vətən xalq xatirə xəbər xəritə yaddaş yay yarpaq yazıçı yol yoldaş yuxu zəng zaman
bənd budaq cəbhə çadır çanta çoban dəyirman düyün fənər gəlin gözəl hasar kəpənək kəndli
körpə kükü qala qapıçı qaya qəbir qəlb qovun ləpə maşın mətbəx misal nağıl nərdivan pələng
sandıq sərgi sual tikan tülkü üzüm yağış yemək yumurta zeytun bulud dağlıq yaylaq çəmən
mühacir məhəllə sığınacaq danışıq görüş barış ağrı bəla cavab dəftər dalğa fabrik gəlir həsrət
iz kölgə qəm qonaq qorxu ümid xəstə yara yaddaşlıq arzu bayram çörəkçi daş dəmir dost duyğu ev
fəhlə hekayə inam kəndçi maral nənəcan ovçu ölkə sərgüzəşt tələbə toy vida yurd
""".split()
AZ_VERBS = """
danış qayıt gəl get bil gör yaz oxu yaşa ağla gül qaç köç xatırla unut sev inan gözlə
eşit de ver al qal dur otur yat işlə oyna tap itir sor çağır yığ daşı keç tik aç bağla
""".split()
_BACK, _FRONT = set("aıou"), set("eəiöü")
_VOWELS = _BACK | _FRONT


def _last_vowel(word: str) -> str:
    return next((c for c in reversed(word) if c in _VOWELS), "a")


def _two(word: str) -> str:
    return "a" if _last_vowel(word) in _BACK else "ə"


def _four(word: str) -> str:
    return {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "ə": "i", "i": "i", "ö": "ü", "ü": "ü"}[_last_vowel(word)]


def _join(word: str, suffix: str) -> str:
    """Attach a suffix, with the consonant changes before a vowel (q → ğ, final k → y)."""
    if suffix and suffix[0] in _VOWELS and len(word) > 2:
        if word.endswith("q"):
            word = word[:-1] + "ğ"
        elif word.endswith("k") and len(word) > 3:
            word = word[:-1] + "y"
    return word + suffix


def _noun_forms(noun: str) -> set[str]:
    forms = set()
    for plural in (False, True):
        base = noun + ("l" + _two(noun) + "r" if plural else "")
        for possessive in ("", "1sg", "2sg", "3sg", "1pl", "2pl"):
            word, third = base, possessive == "3sg"
            vowel_end = word[-1] in _VOWELS
            if possessive == "1sg":
                word = word + "m" if vowel_end else _join(word, _four(word) + "m")
            elif possessive == "2sg":
                word = word + "n" if vowel_end else _join(word, _four(word) + "n")
            elif third:
                word = word + "s" + _four(word) if vowel_end else _join(word, _four(word))
            elif possessive == "1pl":
                word = word + "m" + _four(word) + "z" if vowel_end else _join(word, _four(word) + "m" + _four(word) + "z")
            elif possessive == "2pl":
                word = word + "n" + _four(word) + "z" if vowel_end else _join(word, _four(word) + "n" + _four(word) + "z")
            vowel_end = word[-1] in _VOWELS
            n = "n" if third else ""
            forms.add(word)
            forms.add(_join(word, ("n" if vowel_end else "") + _four(word) + "n"))  # genitive
            forms.add(_join(word, (n or ("y" if vowel_end else "")) + _two(word)))  # dative
            forms.add(_join(word, ("n" if vowel_end else "") + _four(word)))  # accusative
            forms.add(word + n + ("d" if not n else "d") + _two(word))  # locative
            forms.add(word + n + "d" + _two(word) + "n")  # ablative
            forms.add(word + ("yl" if vowel_end else "l") + _two(word))  # instrumental (ilə)
            forms.add(word + "d" + _four(word) + "r")  # predicative
    return forms


def _verb_forms(verb: str) -> set[str]:
    """Infinitive (with dative, locative, ablative), past, present and evidential with persons, converb."""
    infinitive = verb + "m" + _two(verb) + "q"
    forms = {infinitive, _join(infinitive, _two(verb)), infinitive + "d" + _two(verb), infinitive + "d" + _two(verb) + "n"}
    past = verb + "d" + _four(verb)
    forms.update({past, past + "m", past + "n", past + "k", past + "n" + _four(past) + "z", past + "l" + _two(past) + "r"})
    present = verb + ("y" if verb[-1] in _VOWELS else "") + _four(verb) + "r"
    evidential = verb + "m" + _four(verb) + "ş"
    for stem in (present, evidential):
        v, a = _four(stem), _two(stem)
        we = v + ("q" if a == "a" else "k")
        forms.update({stem, stem + a + "m", stem + "s" + a + "n", stem + we, stem + "s" + v + "n" + v + "z",
                      stem + "l" + a + "r", stem + "d" + v})
    forms.add(verb + ("y" if verb[-1] in _VOWELS else "") + _four(verb) + "b")  # converb
    return forms


def az_vocabulary() -> dict[str, str]:
    """Generated Azerbaijani forms → their noun or verb."""
    vocabulary: dict[str, str] = {}
    for noun in AZ_NOUNS:
        for form in _noun_forms(noun):
            vocabulary.setdefault(form, noun)
    for verb in AZ_VERBS:
        for form in _verb_forms(verb):
            vocabulary.setdefault(form, verb + "-")
    return vocabulary


def dictionary_vocabulary(lang: str) -> dict[str, str]:
    """Forms → lemma from simplemma's shipped dictionary for ``lang`` (letters only, lowercase)."""
    from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

    return {form.lower(): lemma.lower() for form, lemma in DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang).items()
            if form.isalpha() and lemma.isalpha() and len(form) > 1}


def _sample(vocabulary: dict[str, str], size: int = VOCABULARY) -> dict[str, str]:
    words = sorted(vocabulary)
    chosen = random.Random(12).sample(words, min(size, len(words)))
    return {word: vocabulary[word] for word in chosen}


def collisions(words: dict[str, str], keys) -> tuple[int, int]:
    """Words sharing any index key with another word; and with a word of another lemma."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for word in words:
        for key in keys(word):
            by_key[key].add(word)
    shared = other = 0
    for word in words:
        partners = set().union(*(by_key[key] for key in keys(word))) - {word}
        if partners:
            shared += 1
            if any(words[partner] != words[word] for partner in partners):
                other += 1
    return shared, other


def report_collisions() -> None:
    """Per language: of the vocabulary, words sharing a key (any lemma / another lemma), before → after."""
    vocabularies = {"hy": _sample(dictionary_vocabulary("hy")), "az": _sample(az_vocabulary()),
                    "ru": _sample(dictionary_vocabulary("ru")), "en": _sample(dictionary_vocabulary("en"))}
    sources = {"hy": "simplemma hy dictionary (also the analysis's)", "az": "generated noun and verb forms",
               "ru": "simplemma ru dictionary (pymorphy3 analyses)", "en": "simplemma en dictionary (also the analysis's)"}
    print(f"{'lang':4} {'words':>6}  {'share a key: before → after':>28}  {'with another lemma: before → after':>35}  source")
    for lang, words in vocabularies.items():
        family = analysis.family_of(lang)
        analysis.select_analysis("legacy")
        before = collisions(words, analysis.ANALYSES[family].keys)
        analysis.select_analysis("current")
        current = analysis.ANALYSES[family]
        if lang == "hy":  # Armenian letters and Latin keys are looked up apart: count them apart
            after = collisions(words, lambda word, keys=current.keys: [k for k in keys(word) if not k.isascii()])
            latin = collisions(words, lambda word, keys=current.keys: [k for k in keys(word) if k.isascii()])
        else:
            after = collisions(words, current.keys)
        print(f"{lang:4} {len(words):6}  {before[0]:13} → {after[0]:<12}  {before[1]:18} → {after[1]:<14}  {sources[lang]}")
        if lang == "hy":
            print(f"{'':4} {'':6}  {'Latin keys:':>13}   {latin[0]:<12}  {'':18}   {latin[1]:<14}  (what Armenian typed in Latin meets)")
    analysis.select_analysis("current")


def main() -> None:
    """Print the relevance table and the collision counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-collisions", action="store_true", help="skip the vocabulary collision counts")
    parser.add_argument("--misses", action="store_true", help="list the queries of the current analysis that miss or rank low")
    parser.add_argument("--set", choices=("tuning", "heldout"), default="tuning",
                        help="tuning: the set the analysis was tuned on; heldout: the set written apart from it (relevance/heldout/)")
    args = parser.parse_args()
    cues, queries = load(FOLDER if args.set == "tuning" else os.path.join(FOLDER, "heldout"))
    print(f"{len(cues)} cues, {len(queries)} queries: " + ", ".join(
        f"{lang} {sum(1 for q in queries if q[0] == lang)}" for lang in LANGUAGES))
    before = run("legacy", cues, queries)
    after = run("current", cues, queries, show_misses=args.misses)
    report_relevance(before, after)
    if not args.no_collisions:
        report_collisions()


if __name__ == "__main__":
    main()
