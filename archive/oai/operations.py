"""The six OAI-PMH 2.0 verbs over the public catalogue: arguments checked, errors as the protocol says.

``respond`` takes the request's arguments as (name, value) pairs and returns the XML document.
Every problem is an OAI ``<error>`` in a 200 answer, as the protocol requires. Lists come in pages
of ``PAGE_SIZE`` records; the resumption token is signed with the app's secret key and carries the
original arguments, the position (the last item id sent, and the count sent so far) and the moment
it expires (``expirationDate``, ``ARCHIVE_OAI_TOKEN_HOURS`` after it was given), so a token that was
altered, is sent with another verb or comes too late is a ``badResumptionToken``. The time is the
``now`` given to ``respond`` (the app's clock), so tests travel in time without waiting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from itsdangerous import BadSignature, URLSafeSerializer
from lxml import etree

from archive.oai import records
from archive.oai import xml as oai_xml
from archive.timeutil import utcnow
from archive.validation import FIRST_YEAR, LAST_YEAR, record_id, text_problem

PAGE_SIZE = 100
REPOSITORY_NAME = "Dialogue Archive"
PREFIX = "oai_dc"
SET_PREFIX = "collection-"
LIST_VERBS = ("ListIdentifiers", "ListRecords")
ARGUMENTS = {  # verb: (required, optional)
    "Identify": ((), ()),
    "ListMetadataFormats": ((), ("identifier",)),
    "ListSets": ((), ("resumptionToken",)),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set", "resumptionToken")),
    "GetRecord": (("identifier", "metadataPrefix"), ()),
}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# The protocol's syntax for these arguments: a value outside it is a badArgument, never echoed.
_SYNTAX = {
    "metadataPrefix": re.compile(r"[A-Za-z0-9\-_.!~*'()]+", re.ASCII),
    "set": re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*", re.ASCII),
}
_SECONDS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", re.ASCII)


class OaiError(Exception):
    """An OAI-PMH error condition: its code and a message that says what to send instead."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Repository:
    """What the answer needs from the app: addresses, the contact, the key that signs tokens."""

    base_url: str
    host: str
    admin_email: str
    secret_key: str
    item_url: Callable[[int], str]
    token_lifetime: timedelta = timedelta(hours=24)

    def identifier(self, item_id: int) -> str:
        return f"oai:{self.host}:item/{item_id}"

    def item_id(self, identifier: str) -> int:
        prefix = f"oai:{self.host}:item/"
        try:
            if not identifier.startswith(prefix):
                raise ValueError
            return record_id(identifier[len(prefix):])
        except ValueError:
            raise OaiError("idDoesNotExist", f"No record is identified as {identifier!r}: identifiers here look like "
                                             f"{prefix}12 (ListIdentifiers names them all).") from None

    def tokens(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret_key, salt="archive.oai.resumption-token")


def admin_email(mail_from: str) -> str:
    """The repository's contact: the address notices are sent from (``ARCHIVE_MAIL_FROM``).

    The protocol's schema wants a dotted domain; a development address such as archive@localhost
    is given as archive@localhost.invalid, plainly not a mailbox, rather than an invalid answer.
    """
    local, _, domain = parseaddr(mail_from)[1].rpartition("@")
    local, domain = local or "archive", domain or "localhost"
    return f"{local}@{domain}" if "." in domain.strip(".") else f"{local}@{domain}.invalid"


def respond(pairs: Iterable[tuple[str, str]], repo: Repository, now: datetime | None = None) -> bytes:
    """The OAI-PMH answer to a request with these arguments."""
    now = now or utcnow()
    args: dict[str, str] = {}
    repeated = set()
    for name, value in pairs:
        problem = text_problem(name) or text_problem(value)
        if problem:  # never echoed: XML cannot carry it
            root = oai_xml.envelope(now, repo.base_url, {})
            oai_xml.error(root, "badArgument", f"An argument cannot be read: {problem}")
            return oai_xml.serialize(root)
        if name in args:
            repeated.add(name)
        args[name] = value
    verb = args.get("verb")
    if verb not in ARGUMENTS or "verb" in repeated:
        root = oai_xml.envelope(now, repo.base_url, {})
        oai_xml.error(root, "badVerb", f"{verb!r} is not an OAI-PMH verb; use one of {', '.join(ARGUMENTS)}."
                      if verb is not None and "verb" not in repeated else
                      f"Give exactly one verb argument: one of {', '.join(ARGUMENTS)}.")
        return oai_xml.serialize(root)
    try:
        _check_arguments(verb, args, repeated)
    except OaiError as exc:
        root = oai_xml.envelope(now, repo.base_url, {})
        oai_xml.error(root, exc.code, exc.message)
        return oai_xml.serialize(root)
    root = oai_xml.envelope(now, repo.base_url, args)
    try:
        records.sync(now)
        VERBS[verb](root, args, repo, now)
    except OaiError as exc:
        for verb_element in root.findall(f"{{{oai_xml.OAI}}}{verb}"):
            root.remove(verb_element)
        if exc.code in ("badVerb", "badArgument"):  # the protocol: then the request echoes the base URL only
            root.find(f"{{{oai_xml.OAI}}}request").attrib.clear()
        oai_xml.error(root, exc.code, exc.message)
    return oai_xml.serialize(root)


def _check_arguments(verb: str, args: dict[str, str], repeated: set[str]) -> None:
    required, optional = ARGUMENTS[verb]
    allowed = {"verb", *required, *optional}
    if repeated:
        raise OaiError("badArgument", f"Give each argument once; repeated: {', '.join(sorted(repeated))}.")
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise OaiError("badArgument", f"{verb} takes no argument {', '.join(map(repr, unknown))}; it takes "
                                      f"{', '.join(sorted(allowed - {'verb'})) or 'none'}.")
    if "resumptionToken" in args:
        if set(args) != {"verb", "resumptionToken"}:
            raise OaiError("badArgument", "A resumptionToken is sent alone with the verb: drop the other arguments.")
        return
    missing = [name for name in required if not args.get(name)]
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(missing)}.")
    for name, pattern in _SYNTAX.items():
        if name in args and not pattern.fullmatch(args[name]):
            raise OaiError("badArgument", f"{name}={args[name]!r} is not valid: letters, digits and -_.!~*'() only"
                                          + (" (and : between parts of a set)." if name == "set" else "."))


def identify(root: etree._Element, args: dict, repo: Repository, now: datetime) -> None:
    element = etree.SubElement(root, f"{{{oai_xml.OAI}}}Identify")
    earliest = records.earliest_datestamp() or utcnow()
    for tag, text in (("repositoryName", REPOSITORY_NAME), ("baseURL", repo.base_url), ("protocolVersion", "2.0"),
                      ("adminEmail", repo.admin_email), ("earliestDatestamp", oai_xml.datestamp(earliest)),
                      ("deletedRecord", "persistent"), ("granularity", "YYYY-MM-DDThh:mm:ssZ")):
        etree.SubElement(element, f"{{{oai_xml.OAI}}}{tag}").text = text


def list_metadata_formats(root: etree._Element, args: dict, repo: Repository, now: datetime) -> None:
    if "identifier" in args:
        _entry(args["identifier"], repo)
    oai_xml.metadata_format(etree.SubElement(root, f"{{{oai_xml.OAI}}}ListMetadataFormats"))


def list_sets(root: etree._Element, args: dict, repo: Repository, now: datetime) -> None:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "ListSets comes in one answer; ask again without a resumptionToken.")
    collections = records.public_collections()
    if not collections:
        raise OaiError("noSetHierarchy", "This archive has no public collections yet, so no sets: harvest without set.")
    element = etree.SubElement(root, f"{{{oai_xml.OAI}}}ListSets")
    for collection in collections:
        entry = etree.SubElement(element, f"{{{oai_xml.OAI}}}set")
        etree.SubElement(entry, f"{{{oai_xml.OAI}}}setSpec").text = f"{SET_PREFIX}{collection.id}"
        etree.SubElement(entry, f"{{{oai_xml.OAI}}}setName").text = collection.display_title()


def get_record(root: etree._Element, args: dict, repo: Repository, now: datetime) -> None:
    _check_prefix(args["metadataPrefix"])
    entry = _entry(args["identifier"], repo)
    _record(etree.SubElement(root, f"{{{oai_xml.OAI}}}GetRecord"), entry, repo)


def list_identifiers(root: etree._Element, args: dict, repo: Repository, now: datetime) -> None:
    _list(root, "ListIdentifiers", args, repo, now)


def list_records(root: etree._Element, args: dict, repo: Repository, now: datetime) -> None:
    _list(root, "ListRecords", args, repo, now)


def _list(root: etree._Element, verb: str, args: dict, repo: Repository, now: datetime) -> None:
    if "resumptionToken" in args:
        state = _read_token(args["resumptionToken"], verb, repo, now)
    else:
        state = {"a": {k: args[k] for k in ("metadataPrefix", "from", "until", "set") if k in args}, "after": 0, "sent": 0}
    original = state["a"]
    _check_prefix(original["metadataPrefix"])
    since, before = _range(original.get("from"), original.get("until"))
    collection_id = _collection(original.get("set"))
    page = records.entries(since=since, before=before, collection_id=collection_id, after_id=state["after"],
                           limit=PAGE_SIZE + 1)
    more, page = len(page) > PAGE_SIZE, page[:PAGE_SIZE]
    if not page:
        if state["sent"]:
            raise OaiError("badResumptionToken", "This list has changed since the token was given: start the "
                                                 "harvest again without a resumptionToken.")
        raise OaiError("noRecordsMatch", "No record matches these arguments; widen from/until or leave out set.")
    element = etree.SubElement(root, f"{{{oai_xml.OAI}}}{verb}")
    for entry in page:
        if verb == "ListRecords":
            _record(element, entry, repo)
        else:
            oai_xml.header(element, repo.identifier(entry.item_id), entry.datestamp, _specs(entry), entry.deleted)
    if more or state["sent"]:
        total = records.count(since=since, before=before, collection_id=collection_id)
        token = etree.SubElement(element, f"{{{oai_xml.OAI}}}resumptionToken",
                                 completeListSize=str(max(total, state["sent"] + len(page))), cursor=str(state["sent"]))
        if more:
            expires = now.replace(microsecond=0) + repo.token_lifetime
            token.set("expirationDate", oai_xml.datestamp(expires))
            token.text = repo.tokens().dumps({"v": verb, "a": original, "after": page[-1].item_id,
                                              "sent": state["sent"] + len(page), "exp": _seconds(expires)})


def _read_token(token: str, verb: str, repo: Repository, now: datetime) -> dict:
    try:
        state = repo.tokens().loads(token)
    except BadSignature:
        state = None
    if not isinstance(state, dict) or state.get("v") != verb:
        raise OaiError("badResumptionToken", f"This resumptionToken is not one this repository gave for {verb}: "
                                             "start the harvest again without it.")
    expires = state.get("exp")
    if not isinstance(expires, int) or isinstance(expires, bool) or _seconds(now) >= expires:
        when = f" at {oai_xml.datestamp(_EPOCH + timedelta(seconds=expires))}" if isinstance(expires, int) else ""
        hours = round(repo.token_lifetime.total_seconds() / 3600, 2)
        raise OaiError("badResumptionToken", f"This resumptionToken expired{when} (tokens last {hours:g} hours): "
                                             "start the list again without it; from= the last complete harvest's "
                                             "responseDate asks only for what changed since.")
    return state


_EPOCH = datetime(1970, 1, 1)


def _seconds(moment: datetime) -> int:
    """A naive UTC time as whole seconds since 1970 (what a token carries: JSON has no dates)."""
    return int((moment - _EPOCH).total_seconds())


def _record(parent: etree._Element, entry: records.Entry, repo: Repository) -> None:
    record = etree.SubElement(parent, f"{{{oai_xml.OAI}}}record")
    oai_xml.header(record, repo.identifier(entry.item_id), entry.datestamp, _specs(entry), entry.deleted)
    if not entry.deleted:
        oai_xml.dublin_core(record, entry.item, repo.item_url(entry.item_id), REPOSITORY_NAME)


def _specs(entry: records.Entry) -> list[str]:
    return [f"{SET_PREFIX}{collection_id}" for collection_id in entry.set_ids]


def _entry(identifier: str, repo: Repository) -> records.Entry:
    found = records.entry(repo.item_id(identifier))
    if found is None:
        raise OaiError("idDoesNotExist", f"No record is identified as {identifier!r}; ListIdentifiers names them all.")
    return found


def _check_prefix(prefix: str) -> None:
    if prefix != PREFIX:
        raise OaiError("cannotDisseminateFormat", f"Records are given as {PREFIX} only; use metadataPrefix={PREFIX}.")


def _collection(spec: str | None) -> int | None:
    if spec is None:
        return None
    if not records.public_collections():
        raise OaiError("noSetHierarchy", "This archive has no public collections yet, so no sets: harvest without set.")
    try:
        if not spec.startswith(SET_PREFIX):
            raise ValueError
        collection_id = record_id(spec[len(SET_PREFIX):])
    except ValueError:
        raise OaiError("noRecordsMatch", f"No set is called {spec!r}; ListSets names them all.") from None
    if not records.public_collection_exists(collection_id):
        raise OaiError("noRecordsMatch", f"No set is called {spec!r}; ListSets names them all.")
    return collection_id


def _range(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``from`` and ``until`` as [start, end) bounds on the stored datestamps."""
    start = _moment(since, "from") if since is not None else None
    end = _moment(until, "until") if until is not None else None
    if start and end:
        if start[1] != end[1]:
            raise OaiError("badArgument", "Write from and until with the same granularity (both days or both seconds).")
        if start[0] > end[0]:
            raise OaiError("badArgument", "from is later than until: swap them.")
    return (start[0] if start else None), (end[0] + end[1] if end else None)


def _moment(value: str, name: str) -> tuple[datetime, timedelta]:
    try:
        if _DAY.fullmatch(value):
            parsed, step = datetime.strptime(value, "%Y-%m-%d"), timedelta(days=1)
        elif _SECONDS.fullmatch(value):
            parsed, step = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ"), timedelta(seconds=1)
        else:
            raise ValueError
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            raise ValueError
    except ValueError:
        raise OaiError("badArgument", f"{name}={value!r} is not a UTC datestamp: write YYYY-MM-DD or "
                                      f"YYYY-MM-DDThh:mm:ssZ, years {FIRST_YEAR} to {LAST_YEAR}.") from None
    return parsed, step


VERBS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
    "GetRecord": get_record,
}
