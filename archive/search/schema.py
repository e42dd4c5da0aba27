"""The Whoosh schema: one document per item (its metadata) and one per subtitle track.

A track is one document, not one per cue: a film's 500 cues become one posting per distinct word
instead of 500 documents, which is what lets indexing and queries meet their speed goals. Word
positions are kept, and the stored ``cue_starts`` (the word position where each cue begins) turn a
matched position back into the cue, and so into its time.
"""

from __future__ import annotations

from array import array

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions

from archive.search.analysis import ANALYSIS_VERSION, FAMILIES, analyzer_for, terms_with_positions

# Field names people may use in queries ("kind:film year:2019 lang:hy theme:memory ...").
FILTER_FIELDS = ("kind", "year", "lang", "subtitle_lang", "theme", "collection", "title", "person")


class CuePositions(Positions):
    """Word positions stored as a plain array of 32-bit numbers.

    Whoosh's own format pickles a list of deltas and re-adds them in a Python loop on every read;
    phrase matching and hit finding read thousands of positions per query, so this one encodes and
    decodes in C (``array``) instead. Frequency is the array's length.
    """

    def encode(self, poslist) -> bytes:
        """The stored bytes for a list of ascending positions."""
        return array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        """The positions stored by ``encode``."""
        positions = array("I")
        positions.frombytes(valuestring)
        return positions.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        """How many times the term occurs."""
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        """The term's weight: its frequency times the field boost."""
        return len(valuestring) // 4 * self.field_boost

    def decode_position_boosts(self, valuestring: bytes) -> list[tuple[int, float]]:
        """Positions with a boost of 1 each (boosts are not stored)."""
        return [(position, 1.0) for position in self.decode_positions(valuestring)]


class IndexedText(TEXT):
    """Text with positions, indexed through the memoised analysis rather than token objects.

    Whoosh's generic path builds a token object per word; this one yields the same terms and
    positions as the field's analyzer (which queries use), several times faster. The field keeps
    the version of the analysis its terms were made with (the index stores its schema), so an
    index made by other rules is known and rebuilt (``analysis_version``).
    """

    def __init__(self, family: str) -> None:
        super().__init__(analyzer=analyzer_for(family), phrase=True)
        self.format = CuePositions(field_boost=self.format.field_boost)
        self.family = family
        self.analysis_version = ANALYSIS_VERSION

    def index(self, value, **kwargs):
        """(term bytes, frequency, weight, encoded positions) for each distinct term of ``value``."""
        # The format of this field as the index knows it: an index built before CuePositions keeps
        # Whoosh's encoding until it is rebuilt.
        encode = self.format.encode
        for term, positions in terms_with_positions(value, self.family).items():
            yield term.encode("utf-8"), len(positions), float(len(positions)), encode(positions)


def text_field(family: str) -> str:
    """The name of the text field for an analysis family."""
    return f"text_{family}"


TEXT_FIELDS = tuple(text_field(family) for family in FAMILIES)


def analysis_version(schema: Schema) -> int:
    """The analysis version an index's terms were made with (1: before versions were recorded)."""
    field = schema[text_field("xx")] if text_field("xx") in schema else None
    return getattr(field, "analysis_version", 1)


def analysis_is_current(schema: Schema) -> bool:
    """Whether an index's terms were made by the analysis queries use now."""
    return analysis_version(schema) == ANALYSIS_VERSION


def build_schema() -> Schema:
    """The schema of the search index."""
    fields = {
        "doc_id": ID(unique=True, stored=True),
        "doctype": ID(),  # "item" or "track"
        "item": ID(),  # the item id as text, for filtering and deleting
        "item_id": NUMERIC(int, bits=64, stored=True, sortable=True),
        "track_id": NUMERIC(int, bits=64, stored=True, sortable=True),
        "subtitle_lang": KEYWORD(lowercase=True, stored=True, sortable=True),
        "kind": KEYWORD(lowercase=True),
        "year": NUMERIC(int),
        "lang": KEYWORD(lowercase=True, commas=True),
        "theme": KEYWORD(lowercase=True, commas=True),
        "collection": KEYWORD(commas=True),
        "title": TEXT(analyzer=analyzer_for("xx")),
        "person": TEXT(analyzer=analyzer_for("xx")),
        "visibility": ID(),
        "embargo": NUMERIC(int),  # yyyymmdd, 0 when none
        "cue_starts": STORED(),
    }
    for family in FAMILIES:
        fields[text_field(family)] = IndexedText(family)
    return Schema(**fields)


def pack_starts(starts: list[int]) -> bytes:
    """Store cue start positions compactly."""
    return array("I", starts).tobytes()


def unpack_starts(data: bytes) -> array:
    """The cue start positions stored by ``pack_starts``."""
    starts = array("I")
    starts.frombytes(data)
    return starts
