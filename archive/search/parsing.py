"""Reading what a person typed: cleaning it, parsing it into a Whoosh query, refusing what cannot run.

Words, "phrases", AND/OR/NOT, ``prefix*`` and the documented field filters (``kind:film``) are
understood; anything else is read as words, and a query that still cannot run is a ``QueryError``
whose message says how to change it. Phrases and prefixes in the text fields become the faster
forms in ``matchers``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from flask_babel import gettext as _
from whoosh import qparser
from whoosh.query import And, AndNot, Every, NullQuery, Or, Phrase, Prefix, Query, Term, Wildcard

from archive.errors import ActionableError
from archive.search.analysis import ALTERNATIVES, ANALYSES, CROSSED_SCRIPT, CROSSED_SCRIPT_BOOST
from archive.search.matchers import CuePhrase, CuePrefix
from archive.search.schema import FILTER_FIELDS, TEXT_FIELDS, build_schema

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 60
MIN_WILDCARD_PREFIX = 2
_FIELD_RE = re.compile(r"(\w+):")
_SYNTAX_RE = re.compile(r"[\"'()\[\]{}^~:*?]+|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b")


class QueryError(ActionableError):
    """A search that cannot be run as typed; the message says how to change it."""

    status = 400
    code = "bad_query"


def clean_query(text: str | None) -> str:
    """The query without control characters and extra spaces; too long a query is refused."""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in (text or ""))
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(_("The search is %(length)s characters long; keep it under %(limit)s "
                           "(a few words or a phrase in quotes is enough).", length=len(text), limit=MAX_QUERY_CHARS))
    return text


_PARSERS: list[qparser.MultifieldParser] = []


class _PrefixesKeepTheirStar(qparser.WildcardPlugin):
    """Whoosh's wildcards, but a ``word*`` reaches the analysis with its star.

    Whoosh turns ``word*`` into a prefix node holding ``word`` alone, so the analysis would take
    it for a whole word; with the star it knows to give the prefixes to look for instead.
    """

    def do_wildcards(self, parser, group):
        """Whoosh's wildcard grouping, then the star put back on each prefix."""
        group = super().do_wildcards(parser, group)
        for node in group:
            if type(node) is qparser.PrefixPlugin.PrefixNode and not node.text.endswith("*"):
                node.text += "*"
        return group


def _parser() -> qparser.MultifieldParser:
    """The query parser, built once: it holds no per-query state, and building it costs milliseconds."""
    if not _PARSERS:
        parser = qparser.MultifieldParser(list(TEXT_FIELDS), build_schema(), group=qparser.AndGroup)
        parser.remove_plugin_class(qparser.SingleQuotePlugin)  # apostrophes are part of words
        parser.remove_plugin_class(qparser.BoostPlugin)
        parser.remove_plugin_class(qparser.EveryPlugin)
        parser.replace_plugin(_PrefixesKeepTheirStar())
        _PARSERS.append(parser)
    return _PARSERS[0]


def parse_query(text: str) -> Query:
    """A Whoosh query for ``text``: words, "phrases", AND/OR/NOT, prefix*, and field filters.

    The same text gives the same query object (the last ``PARSED_QUERIES`` texts are kept: the
    next page, or a word many people look for, is not parsed and analysed again); callers
    build new queries from it rather than change it.
    """
    # The rules in use are part of the key: ``analysis.select_analysis`` swaps them in place.
    return _parsed(text, tuple(ANALYSES.values()))


PARSED_QUERIES = 1024


@lru_cache(maxsize=PARSED_QUERIES)
def _parsed(text: str, rules: tuple) -> Query:
    # Only the documented filter names are fields; "http://x" or "visibility:..." stay words.
    text = _FIELD_RE.sub(lambda m: m.group(0) if m.group(1).lower() in FILTER_FIELDS else m.group(1) + " ", text)
    text = _FIELD_RE.sub(lambda m: m.group(1).lower() + ":", text)
    try:
        query = _parser().parse(text)
    except Exception:  # the parser is lenient, but never let its edge cases become a 500
        query = _parser().parse(_SYNTAX_RE.sub(" ", text))
    # Counted before a word's alternative keys become parts of their own.
    too_many = sum(1 for _ in query.leaves()) > MAX_QUERY_TERMS * len(TEXT_FIELDS)
    query = _tidy(query)
    if query is None or query is NullQuery:
        raise QueryError(_("Type at least one word to search for; a * needs two letters before it, as in bord*."))
    if too_many:
        raise QueryError(_("The search has too many words; use fewer, or put a phrase in quotes."))
    _plain_unions(query)
    return query


def _plain_unions(query: Query) -> None:
    """Make every OR in ``query`` walk its parts side by side.

    In an index of few documents (one per track) Whoosh picks an array-backed OR that clears and
    scans a 2,048-slot array in Python for every block of documents; stepping the parts together
    gives the same documents and scores for less.
    """
    if isinstance(query, Or):
        query.matcher_type = Or.DEFAULT_MATCHER
    if not query.is_leaf():
        for child in query.children():
            _plain_unions(child)


def _crossed(text: str, boost: float) -> tuple[str, float]:
    """An analysed word without the mark of a word read across scripts, and its boost."""
    if text.startswith(CROSSED_SCRIPT):
        return text[len(CROSSED_SCRIPT):], boost * CROSSED_SCRIPT_BOOST
    return text, boost


def _tidy(query: Query) -> Query | None:
    """Drop parts that would match everything or nothing useful: ``*`` alone, one-letter prefixes."""
    if isinstance(query, Every) or query is NullQuery:
        return None
    if type(query) is Prefix:
        # The analysis may give alternatives (ALTERNATIVES between them): each needs its letters.
        text, boost = _crossed(query.text, query.boost)
        prefixes = [p for p in text.rstrip("*").split(ALTERNATIVES) if len(p) >= MIN_WILDCARD_PREFIX]
        if not prefixes:
            return None
        query = Prefix(query.fieldname, ALTERNATIVES.join(prefixes), boost=boost)
    if isinstance(query, (Prefix, Wildcard)):
        literal = re.split(r"[*?]", query.text, maxsplit=1)[0]
        if len(literal) < MIN_WILDCARD_PREFIX:
            return None
        if type(query) is Prefix and query.fieldname in TEXT_FIELDS:
            return CuePrefix(query.fieldname, query.text, boost=query.boost)
        return query
    if type(query) is Term and isinstance(query.text, str) and (ALTERNATIVES in query.text or CROSSED_SCRIPT in query.text):
        # A word read across scripts counts for less; one the analysis could not settle on one key
        # for looks for any of its keys.
        text, boost = _crossed(query.text, query.boost)
        terms = [Term(query.fieldname, key, boost=boost) for key in text.split(ALTERNATIVES)]
        return terms[0] if len(terms) == 1 else Or(terms)
    if isinstance(query, Phrase):
        if not query.words:
            return None
        # In a phrase each word keeps its first key: the index holds every key at the word's position.
        query.words = [_crossed(word, 1.0)[0].split(ALTERNATIVES)[0] for word in query.words]
        if query.fieldname in TEXT_FIELDS and query.slop == 1 and not isinstance(query, CuePhrase):
            return CuePhrase(query.fieldname, query.words, boost=query.boost, char_ranges=query.char_ranges)
        return query
    if query.is_leaf():
        return query
    if isinstance(query, AndNot):
        positive, negative = _tidy(query.a), _tidy(query.b)
        if positive is None:
            return None
        return positive if negative is None else AndNot(positive, negative)
    children = [child for child in (_tidy(c) for c in query.children()) if child is not None]
    if not children:
        return None
    if hasattr(query, "subqueries"):
        rebuilt = query.__class__(children) if isinstance(query, (And, Or)) else query
        if not isinstance(query, (And, Or)):
            rebuilt = query.copy()
            rebuilt.subqueries = children
        return rebuilt.normalize()
    if hasattr(query, "child"):  # Not and other wrappers
        rebuilt = query.copy()
        rebuilt.child = children[0]
        return rebuilt
    return query
