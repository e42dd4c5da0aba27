"""The OpenAPI 3.1 document of the JSON API, built from the app's own routes.

apispec assembles the document; its Flask plugin turns each view into its path (``<int:item_id>``
becomes ``{item_id}``) from the app's URL map, so a path can never drift from its route. What the
code cannot say (query arguments, bodies, answers) is kept here, beside the routes, in
``OPERATIONS``, one entry per endpoint; summaries and descriptions are the views' docstrings.
Building the document fails for an entry whose endpoint no longer exists, and a test fails for an
/api/ route with no entry (``undescribed_routes``).
"""

from __future__ import annotations

import inspect

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask, current_app

from archive.api.openapi_uploads import UPLOAD_ID, upload_operations
from archive.catalogue.models import KINDS
from archive.jobs.models import STATUSES as JOB_STATUSES
from archive.screenings.models import STATUSES as SCREENING_STATUSES
from archive.validation import MAX_RECORD_ID

TITLE = "Dialogue Archive JSON API"
VERSION = "1"
VISIBILITIES = ["public", "partners", "restricted"]
API_PREFIX = "/api/"
IGNORED_METHODS = {"HEAD", "OPTIONS"}

# Plain words for each error status the API answers with; every error has the shape ``Error``.
ERROR_STATUSES = {
    "400": "The request could not be understood (a malformed argument or body); the message says what to fix.",
    "401": "No token where one is needed, or an unknown or revoked token (code `unauthorized`).",
    "403": "The token's account may not do this (code `forbidden`).",
    "404": "Nothing at this address, or nothing the caller may see (code `not_found`): hidden records are "
           "never confirmed.",
    "405": "The address does not take this method (code `method_not_allowed`); `Allow` lists those it takes.",
    "409": "The request clashes with the current state (codes such as `clash`, `wrong_status`, `too_early`, "
           "`report_exists`, `running`, `upload_in_progress`, `duplicate`).",
    "413": "The body is larger than this route accepts (code `request_entity_too_large`).",
    "410": "The resumable upload was left unfinished too long and has expired (code `expired`).",
    "412": "The client speaks a tus version this server does not (code `tus_version`); `Tus-Version` lists it.",
    "415": "The file's type is not one the archive takes.",
    "422": "A field breaks a rule (code `invalid` with `fields`, or a rule's own code such as `no_licence`, "
           "`no_duration`).",
    "460": "A chunk's Upload-Checksum does not match its bytes (code `checksum_mismatch`); nothing of it was kept.",
    "429": "Too many requests from this token or address; `Retry-After` says when to try again.",
    "503": "The database or the search index is not available just now (codes `database_unavailable`, "
           "`index_rebuilding`); `Retry-After` says when to try again.",
}
# Any API call: a refused token, an address that takes other methods, the rate limit, a database outage.
ALWAYS = ("401", "405", "429", "503")


def nullable(schema: dict) -> dict:
    """``schema`` or null, in OpenAPI 3.1 (JSON Schema) terms."""
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
TIMESTAMP = {"type": "string", "description": "UTC, ISO 8601 with Z"}
URL = {"type": "string", "format": "uri-reference"}
RECORD_ID = {"type": "integer", "minimum": 1, "maximum": MAX_RECORD_ID}
LANG_TAG = {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", "example": "hy",
            "description": "BCP-47 language tag"}
LANG_MAP = {
    "type": "object",
    "description": "Text by BCP-47 language tag: {\"en\": \"...\", \"hy\": \"...\"}.",
    "additionalProperties": STRING,
}


def page_of(name: str) -> dict:
    """The pagination envelope around a list of ``name``."""
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages"],
        "properties": {"items": {"type": "array", "items": ref(name)}, "page": INTEGER, "per_page": INTEGER,
                       "total": INTEGER, "pages": INTEGER},
    }


# Whole bodies, shown in the document and sent first by the schemathesis tests.
ITEM_EXAMPLE = {"kind": "film",
                "title": {"en": "The Border", "hy": "Սահման"},
                "visibility": "public",
                "year": 2019,
                "countries": ["AM"],
                "languages": ["hy"],
                "credits": [{"name": "Ani", "role": "director"}],
                "themes": ["memory"]}
VENUE_EXAMPLE = {"name": "Yerevan Film House",
                 "city": "Yerevan",
                 "country": "AM",
                 "timezone": "Asia/Yerevan",
                 "capacity": 120,
                 "buffer_minutes": 30}
LICENCE_EXAMPLE = {"territories": ["AM", "GE"],
                   "starts_on": "2026-01-01",
                   "ends_on": "2027-12-31",
                   "uses": ["non-commercial"],
                   "max_screenings": None}
REPORT_EXAMPLE = {"attendance": {"total": 40, "women": 22, "men": 16, "other": 2, "youth": 12, "displaced": 5},
                  "notes": "Long discussion."}


SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "A word a program can test: `not_found`, `invalid`, "
                                                              "`clash`, `no_licence` ..."},
                    "message": {"type": "string", "description": "What happened and what to do, for a person."},
                    "fields": {"type": "object", "additionalProperties": STRING,
                               "description": "With `invalid`: what to fix in each field."},
                    "free_slots": {"type": "array", "items": STRING,
                                   "description": "With `clash`: the nearest free start times."},
                },
            }
        },
    },
    "Me": {"type": "object", "required": ["id", "email", "role"],
           "properties": {"id": INTEGER, "email": STRING, "name": nullable(STRING),
                          "role": {"type": "string", "enum": ["admin", "archivist", "venue"]}}},
    "Credit": {"type": "object", "required": ["name", "role"], "properties": {"name": STRING, "role": STRING}},
    "Job": {
        "type": "object",
        "required": ["id", "kind", "status"],
        "properties": {"id": INTEGER, "kind": STRING, "item_id": nullable(INTEGER),
                       "status": {"type": "string", "enum": list(JOB_STATUSES)}, "progress": NUMBER,
                       "stage": nullable(STRING), "attempts": INTEGER, "error": nullable(STRING),
                       "error_code": nullable(STRING),
                       "created_at": TIMESTAMP, "finished_at": nullable(TIMESTAMP)},
    },
    "Media": {
        "type": "object",
        "required": ["id", "kind", "status", "derivatives"],
        "properties": {
            "id": INTEGER, "kind": {"type": "string", "enum": ["video", "image"]}, "status": STRING,
            "job": nullable(ref("Job")), "duration": nullable(NUMBER), "width": nullable(INTEGER),
            "height": nullable(INTEGER), "technical": {"type": "object"},
            "derivatives": {"type": "object", "description": "Short-lived links by kind (poster, poster_small, proxy, display, "
                                                             "thumbnail, storyboard sheets, storyboard_vtt), and "
                                                             "`hls`: the film's HLS master playlist (.m3u8) once its "
                                                             "streaming ladder is made. The app serves each playlist "
                                                             "on the item's visibility rule, with every segment named "
                                                             "by a fresh short-lived link."},
            "renditions": {"type": "array", "description": "The HLS ladder's renditions, lowest first "
                                                           "(never larger than the film).",
                           "items": {"type": "object", "properties": {"width": INTEGER, "height": INTEGER}}},
            "filename": STRING, "size": INTEGER, "sha256": STRING, "mime": STRING, "original": URL,
            "fixity_ok": nullable({"type": "boolean"}),
            "streaming": nullable({**ref("Job"), "description": "Staff only: the newest job making the HLS "
                                                                "ladder (its status, and its error when it "
                                                                "failed; `POST /api/v1/jobs/{id}/retry` runs it again), or null."}),
        },
    },
    "SubtitleTrack": {
        "type": "object",
        "required": ["id", "lang", "vtt_url"],
        "properties": {"id": INTEGER, "lang": STRING, "label": STRING, "source": STRING, "cues": INTEGER,
                       "first_start": nullable(NUMBER), "last_end": nullable(NUMBER), "encoding": nullable(STRING),
                       "format": nullable(STRING), "warnings": {"type": "array"}, "vtt_url": URL},
    },
    "Item": {
        "type": "object",
        "required": ["id", "kind", "title", "visibility", "url", "media", "subtitles", "iiif_manifest"],
        "properties": {
            "id": INTEGER, "kind": {"type": "string", "enum": list(KINDS)}, "title": LANG_MAP,
            "description": LANG_MAP, "year": nullable(INTEGER), "countries": {"type": "array", "items": STRING},
            "languages": {"type": "array", "items": STRING}, "credits": {"type": "array", "items": ref("Credit")},
            "themes": {"type": "array", "items": STRING}, "collections": {"type": "array", "items": INTEGER},
            "rights_note": nullable(STRING), "visibility": {"type": "string", "enum": VISIBILITIES},
            "embargo_until": nullable({"type": "string", "format": "date"}), "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP, "url": URL, "duration": nullable(NUMBER),
            "media": {"type": "array", "items": ref("Media")},
            "subtitles": {"type": "array", "items": ref("SubtitleTrack")},
            "iiif_manifest": nullable({**URL, "description": "The IIIF Presentation 3 manifest, for public items "
                                                            "with media."}),
        },
    },
    "ItemInput": {
        "type": "object",
        "example": ITEM_EXAMPLE,
        "description": "On POST `kind` and `title` are needed; PATCH changes only the fields sent.",
        "properties": {
            "kind": {"type": "string", "enum": list(KINDS)}, "title": LANG_MAP, "description": LANG_MAP,
            "year": nullable({"type": "integer", "minimum": 1900, "maximum": 2999}),
            "countries": {"type": "array", "items": {"type": "string", "description": "ISO 3166 code"}},
            "languages": {"type": "array", "items": STRING},
            "credits": {"type": "array", "items": ref("Credit")},
            "themes": {"type": "array", "items": STRING}, "collections": {"type": "array", "items": RECORD_ID},
            "rights_note": STRING, "visibility": {"type": "string", "enum": VISIBILITIES},
            "embargo_until": nullable({"type": "string", "format": "date"}),
        },
    },
    "Collection": {
        "type": "object",
        "required": ["id", "kind", "title", "visibility", "items", "iiif_collection"],
        "properties": {"id": INTEGER, "kind": STRING, "title": LANG_MAP, "description": LANG_MAP,
                       "visibility": {"type": "string", "enum": VISIBILITIES},
                       "items": {"type": "array", "items": INTEGER},
                       "iiif_collection": nullable(URL)},
    },
    "CollectionInput": {
        "type": "object",
        "example": {"kind": "exhibition", "title": {"en": "Crossings"}, "visibility": "public", "items": [1]},
        "properties": {"kind": {"type": "string", "enum": ["exhibition", "series"]}, "title": LANG_MAP,
                       "description": LANG_MAP, "visibility": {"type": "string", "enum": VISIBILITIES},
                       "items": {"type": "array", "items": RECORD_ID}},
    },
    "Upload": {
        "type": "object",
        "required": ["id", "item_id", "kind", "sha256"],
        "properties": {"id": INTEGER, "item_id": INTEGER, "kind": STRING, "mime": STRING, "filename": STRING,
                       "size": INTEGER, "sha256": STRING, "job": nullable(ref("Job"))},
    },
    "SubtitleUpload": {
        "type": "object",
        "required": ["id", "lang", "cues", "encoding", "warnings", "track"],
        "properties": {"id": INTEGER, "lang": STRING, "cues": INTEGER, "first_start": nullable(NUMBER),
                       "last_end": nullable(NUMBER), "span": STRING, "encoding": STRING, "encoding_name": STRING,
                       "format": STRING, "warnings": {"type": "array"}, "track": ref("SubtitleTrack")},
    },
    "Deletion": {
        "type": "object",
        "required": ["id", "item_id", "deleted_at", "status", "objects"],
        "properties": {
            "id": INTEGER, "item_id": INTEGER, "item_kind": STRING, "deleted_by": nullable(STRING),
            "deleted_at": TIMESTAMP, "status": STRING, "purged_at": nullable(TIMESTAMP),
            "objects": {"type": "array", "items": {
                "type": "object",
                "properties": {"role": STRING, "sha256": STRING, "size": INTEGER, "purged": {"type": "boolean"},
                               "error": nullable(STRING)}}},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": ["total", "items", "facets"],
        "properties": {
            "query": nullable(STRING), "total": INTEGER, "page": INTEGER, "per_page": INTEGER, "pages": INTEGER,
            "facets": {"type": "object"},
            "items": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "title", "hits"],
                "properties": {
                    "id": INTEGER, "title": STRING, "titles": LANG_MAP, "kind": STRING, "year": nullable(INTEGER),
                    "url": URL, "hit_count": INTEGER,
                    "hits": {"type": "array", "items": {
                        "type": "object",
                        "required": ["start", "end", "lang", "snippet"],
                        "properties": {"start": NUMBER, "end": NUMBER, "lang": STRING,
                                       "snippet": {"type": "string", "description": "Escaped HTML, matches in "
                                                                                    "<mark>"},
                                       "matched_as": {"type": "array", "items": STRING},
                                       "url": URL,
                                       "moment_url": {**nullable(URL), "description": "What is said at this "
                                                      "moment in every subtitle language of the film; null "
                                                      "when it has one language only"}}}},
                }}},
        },
    },
    "Venue": {
        "type": "object",
        "required": ["id", "name", "country", "timezone"],
        "properties": {"id": INTEGER, "name": STRING, "address": nullable(STRING), "city": nullable(STRING),
                       "country": STRING, "timezone": STRING, "capacity": nullable(INTEGER),
                       "buffer_minutes": INTEGER, "accessibility": nullable(STRING), "contact": nullable(STRING),
                       "calendar": URL, "members": {"type": "array", "items": STRING}},
    },
    "VenueInput": {
        "type": "object",
        "example": VENUE_EXAMPLE,
        "required": ["name", "country", "timezone"],
        "properties": {"name": STRING, "address": STRING, "city": STRING,
                       "country": {"type": "string", "description": "ISO 3166 code such as AM"},
                       "timezone": {"type": "string", "description": "IANA zone such as Asia/Yerevan"},
                       "capacity": nullable(INTEGER), "buffer_minutes": INTEGER, "accessibility": STRING,
                       "contact": STRING},
    },
    "Member": {"type": "object", "required": ["venue_id", "user_id", "email"],
               "properties": {"venue_id": INTEGER, "user_id": INTEGER, "email": STRING}},
    "Licence": {
        "type": "object",
        "required": ["id", "item_id", "territories", "starts_on", "ends_on", "uses"],
        "properties": {"id": INTEGER, "item_id": INTEGER, "territories": {"type": "array", "items": STRING},
                       "starts_on": {"type": "string", "format": "date"},
                       "ends_on": {"type": "string", "format": "date"}, "uses": {"type": "array", "items": STRING},
                       "max_screenings": nullable(INTEGER), "note": nullable(STRING)},
    },
    "LicenceInput": {
        "type": "object",
        "example": LICENCE_EXAMPLE,
        "required": ["territories", "starts_on", "ends_on", "uses"],
        "properties": {"territories": {"type": "array", "items": STRING},
                       "starts_on": {"type": "string", "format": "date"},
                       "ends_on": {"type": "string", "format": "date"},
                       "uses": {"type": "array", "items": STRING}, "max_screenings": nullable(INTEGER),
                       "note": STRING},
    },
    "Attendance": {"type": "object",
                   "properties": {name: nullable(INTEGER) for name in
                                  ("total", "women", "men", "other", "youth", "displaced")}},
    "Report": {"type": "object", "required": ["id", "attendance"],
               "properties": {"id": INTEGER, "attendance": ref("Attendance"), "discussion": nullable(STRING),
                              "notes": nullable(STRING), "photos": INTEGER, "created_at": TIMESTAMP}},
    "ReportInput": {"type": "object", "example": REPORT_EXAMPLE, "required": ["attendance"],
                    "properties": {"attendance": ref("Attendance"), "discussion": STRING, "notes": STRING}},
    "Screening": {
        "type": "object",
        "required": ["id", "status", "item_id", "venue_id", "starts_at", "ends_at"],
        "properties": {
            "id": INTEGER, "status": {"type": "string", "enum": list(SCREENING_STATUSES)}, "item_id": INTEGER,
            "item_title": STRING, "venue_id": INTEGER, "venue_name": STRING, "timezone": STRING,
            "starts_at": STRING, "ends_at": STRING, "starts_at_utc": TIMESTAMP, "ends_at_utc": TIMESTAMP,
            "audio_lang": nullable(STRING), "subtitle_lang": nullable(STRING), "format": nullable(STRING),
            "discussion_minutes": nullable(INTEGER), "sequence": INTEGER, "url": URL,
            "blocked_until": STRING, "use": nullable(STRING), "expected_audience": nullable(INTEGER),
            "notes": nullable(STRING), "decision_reason": nullable(STRING), "licence_id": nullable(INTEGER),
            "kit": {"type": "object", "description": "Download links (film, open_captions, poster, event, "
                                                     "subtitles) and `copy`: the screening copy's `source` "
                                                     "(original, master, or web when no copy for projection "
                                                     "is made yet), `filename`, `size` and `sha256` to check "
                                                     "the download."},
            "report": nullable(ref("Report")),
            "warnings": {"type": "array", "items": STRING},
        },
    },
    "ScreeningInput": {
        "type": "object",
        "example": {"item_id": 1, "venue_id": 1, "starts_at": "2027-03-01T19:00:00+04:00", "format": "community", "discussion_minutes": 30},
        "required": ["item_id", "venue_id", "starts_at"],
        "properties": {"item_id": RECORD_ID, "venue_id": RECORD_ID,
                       "starts_at": {"type": "string", "description": "ISO 8601 with an offset, or local time at "
                                                                      "the venue"},
                       "subtitle_lang": STRING, "audio_lang": STRING, "expected_audience": INTEGER,
                       "format": STRING, "discussion_minutes": INTEGER, "use": STRING, "notes": STRING},
    },
    "Reason": {"type": "object", "example": {"reason": "The venue asked for another date."}, "properties": {"reason": STRING}},
    "Email": {"type": "object", "example": {"email": "venue@example.org"}, "required": ["email"], "properties": {"email": STRING}},
}


def query(name: str, schema: dict, description: str) -> dict:
    return {"in": "query", "name": name, "schema": schema, "description": description}


PAGE = query("page", {"type": "integer", "minimum": 1}, "Page number, from 1.")
PER_PAGE = query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Records a page (default 20).")


def json_body(schema: str, required: bool = True) -> dict:
    content = {"schema": ref(schema)}
    if "example" in SCHEMAS[schema]:
        content["example"] = SCHEMAS[schema]["example"]
    return {"required": required, "content": {"application/json": content}}


def raw_body(media_type: str, description: str, example: str | None = None) -> dict:
    content: dict = {"schema": {"type": "string", "format": "binary"}}
    if example is not None:
        content["example"] = example
    return {"required": True, "description": description, "content": {media_type: content}}


SRT_EXAMPLE = "1\n00:00:01,000 --> 00:00:03,500\nԲարեւ, hello\n\n2\n00:00:04,000 --> 00:00:06,000\nAcross the border\n"


def answer(status: str, schema: dict | str | None, description: str) -> dict:
    """One success answer: ``{status: {...}}``."""
    if schema is None:
        return {status: {"description": description}}
    body = ref(schema) if isinstance(schema, str) else schema
    return {status: {"description": description, "content": {"application/json": {"schema": body}}}}


# Who may call: "anyone" (a token is optional and widens what is seen), "token" (any valid token),
# "staff" (archivists, admins), "admin".
OPERATIONS: dict[str, dict] = {
    "api.openapi_document": {"who": "anyone", "ok": answer("200", {"type": "object"}, "This document."),
                             "errors": ()},
    "api.me": {"who": "token", "ok": answer("200", "Me", "The token's account."), "errors": ()},
    "api.list_items": {
        "who": "anyone",
        "parameters": [query("kind", {"type": "string", "enum": list(KINDS)}, "Only films or photos."), PAGE,
                       PER_PAGE],
        "ok": answer("200", page_of("Item"), "Items the caller may see, newest first."), "errors": ("400",)},
    "api.create_item": {"who": "staff", "body": json_body("ItemInput"),
                        "ok": answer("201", "Item", "The new item (restricted unless told otherwise)."),
                        "errors": ("400", "422")},
    "api.get_item": {"who": "anyone", "ok": answer("200", "Item", "The item."), "errors": ("404",)},
    "api.update_item": {"who": "staff", "body": json_body("ItemInput"), "ok": answer("200", "Item", "The item."),
                        "errors": ("400", "404", "422")},
    "api.delete_item": {"who": "staff", "ok": answer("204", None, "Deleted; its objects are purged by a job."),
                        "errors": ("404",)},
    "api.list_collections": {"who": "anyone", "parameters": [PAGE, PER_PAGE],
                             "ok": answer("200", page_of("Collection"), "Collections the caller may see."),
                             "errors": ("400",)},
    "api.create_collection": {"who": "staff", "body": json_body("CollectionInput"),
                              "ok": answer("201", "Collection", "The new collection."), "errors": ("400", "422")},
    "api.get_collection": {"who": "anyone", "ok": answer("200", "Collection", "The collection."),
                           "errors": ("404",)},
    "api.update_collection": {"who": "staff", "body": json_body("CollectionInput"),
                              "ok": answer("200", "Collection", "The collection."), "errors": ("400", "404", "422")},
    "api.list_deletions": {"who": "staff", "parameters": [PAGE, PER_PAGE],
                           "ok": answer("200", page_of("Deletion"), "Deletion records, newest first."),
                           "errors": ("400",)},
    "api.upload_media": {
        "who": "staff",
        "parameters": [query("filename", {"type": "string", "minLength": 1, "example": "border.mp4"},
                             "The file's name (kept for staff).") | {"required": True}],
        "body": raw_body("application/octet-stream", "The file itself, streamed."),
        "ok": answer("201", "Upload", "Stored; a job makes the derivatives."),
        "errors": ("400", "404", "409", "413", "415", "422")},
    "api.list_jobs": {
        "who": "staff",
        "parameters": [query("item", RECORD_ID, "Only this item's jobs."),
                       query("status", {"type": "string", "enum": list(JOB_STATUSES)}, "Only jobs in this state."),
                       PAGE, PER_PAGE],
        "ok": answer("200", page_of("Job"), "Jobs, newest first."), "errors": ("400",)},
    "api.retry_job": {"who": "staff", "ok": answer("200", "Job", "Queued again."), "errors": ("404", "409")},
    "api.search_catalogue": {
        "who": "anyone",
        "parameters": [query("q", {"type": "string", "minLength": 1, "example": "border"},
                             "Words, \"phrases\", AND/OR/NOT, prefix*, field:value filters.") | {"required": True},
                       query("kind", {"type": "string", "enum": list(KINDS)}, "Films or photos."),
                       query("lang", LANG_TAG, "Language of the film (tag)."),
                       query("subtitle_lang", LANG_TAG, "Language of a subtitle track (tag)."),
                       query("year", RECORD_ID, "Year."), query("theme", STRING, "Theme name."),
                       query("collection", RECORD_ID, "Collection id."), PAGE, PER_PAGE],
        "ok": answer("200", "SearchResults", "Results grouped by item, with facets."), "errors": ("400",)},
    "api.upload_subtitles": {
        "who": "staff",
        "parameters": [query("lang", LANG_TAG, "BCP-47 tag of the track.") | {"required": True},
                       query("filename", STRING, "The file's name."), query("label", STRING, "Label for players."),
                       query("encoding", STRING, "The file's encoding when the guess is wrong (utf-8, cp1251 ...).")],
        "body": raw_body("application/octet-stream", "An SRT or WebVTT file.", SRT_EXAMPLE),
        "ok": answer("201", "SubtitleUpload", "Saved, with what was read."),
        "errors": ("400", "404", "409", "413", "422")},
    "api.list_subtitles": {"who": "anyone",
                           "ok": answer("200", {"type": "object", "required": ["items"], "properties": {
                               "items": {"type": "array", "items": ref("SubtitleTrack")}}}, "The item's tracks."),
                           "errors": ("404",)},
    "api.delete_subtitles": {"who": "staff", "ok": answer("204", None, "Deleted."), "errors": ("404",)},
    "api.list_venues": {"who": "anyone", "parameters": [PAGE, PER_PAGE],
                        "ok": answer("200", page_of("Venue"), "Every venue."), "errors": ("400",)},
    "api.create_venue": {"who": "admin", "body": json_body("VenueInput"), "ok": answer("201", "Venue", "The venue."),
                         "errors": ("400", "422")},
    "api.get_venue": {"who": "anyone", "ok": answer("200", "Venue", "The venue."), "errors": ("404",)},
    "api.add_venue_member": {"who": "admin", "body": json_body("Email"),
                             "ok": answer("201", "Member", "The account now acts for the venue."),
                             "errors": ("400", "404", "422")},
    "api.list_licences": {"who": "staff",
                          "ok": answer("200", {"type": "object", "required": ["items"], "properties": {
                              "items": {"type": "array", "items": ref("Licence")}}}, "The film's licences."),
                          "errors": ("404",)},
    "api.create_licence": {"who": "staff", "body": json_body("LicenceInput"),
                           "ok": answer("201", "Licence", "The licence."), "errors": ("400", "404", "422")},
    "api.list_screenings": {
        "who": "anyone",
        "parameters": [query("venue", RECORD_ID, "Only this venue."), query("item", RECORD_ID, "Only this film."),
                       query("from", {"type": "string", "format": "date-time"}, "Starting at or after."),
                       query("to", {"type": "string", "format": "date-time"}, "Starting before."),
                       query("status", {"type": "string", "enum": list(SCREENING_STATUSES)}, "Only this status."),
                       PAGE, PER_PAGE],
        "ok": answer("200", page_of("Screening"), "Screenings the caller may see, in time order."),
        "errors": ("400", "422")},
    "api.create_screening": {"who": "token", "body": json_body("ScreeningInput"),
                             "ok": answer("201", "Screening", "Requested."), "errors": ("400", "403", "409", "422")},
    "api.get_screening": {"who": "anyone", "ok": answer("200", "Screening", "The screening."), "errors": ("404",)},
    "api.approve_screening": {"who": "staff", "body": json_body("Reason", required=False),
                              "ok": answer("200", "Screening", "Approved; `warnings` when the film is hidden."),
                              "errors": ("400", "404", "409", "422")},
    "api.decline_screening": {"who": "staff", "body": json_body("Reason", required=False),
                              "ok": answer("200", "Screening", "Declined."), "errors": ("400", "404", "409", "422")},
    "api.cancel_screening": {"who": "token", "body": json_body("Reason", required=False),
                             "ok": answer("200", "Screening", "Cancelled; its kit is revoked."),
                             "errors": ("400", "403", "404", "409", "422")},
    "api.report_screening": {"who": "token", "body": json_body("ReportInput"),
                             "ok": answer("201", "Report", "Filed."), "errors": ("400", "403", "404", "409", "422")},
}

OPERATIONS.update(upload_operations(answer, raw_body))

WHO = {
    "anyone": "Anyone; a token widens what is seen (partners records for venues, everything for staff).",
    "token": "Any valid token.",
    "staff": "Archivists and admins.",
    "admin": "Admins.",
}


def _path_parameters(rule) -> list[dict]:
    """Every ``<int:name>`` of a route: a record id; ``<upload_id>``: a resumable upload's address."""
    return [UPLOAD_ID if name == "upload_id" else
            {"in": "path", "name": name, "required": True, "schema": RECORD_ID, "example": 1,
             "description": "A record's id."}
            for name in rule.arguments]


def _operation(endpoint: str, rule, view) -> dict:
    entry = OPERATIONS[endpoint]
    doc = inspect.getdoc(view) or ""
    summary, _, rest = doc.partition("\n")
    errors = {*entry["errors"], *ALWAYS}
    if entry["who"] in ("staff", "admin"):
        errors.add("403")
    operation = {
        "operationId": endpoint.removeprefix("api."),
        "summary": summary.strip(),
        "description": (rest.strip() + "\n\n" if rest.strip() else "") + "Who: " + WHO[entry["who"]],
        "tags": [view.__module__.rsplit(".", 1)[-1]],
        "parameters": _path_parameters(rule) + entry.get("parameters", []),
        "responses": {**entry["ok"], **{code: {"$ref": f"#/components/responses/{code}"} for code in sorted(errors)}},
        "security": [{}, {"bearerToken": []}] if entry["who"] == "anyone" else [{"bearerToken": []}],
    }
    if "body" in entry:
        operation["requestBody"] = entry["body"]
    return operation


def api_rules(app: Flask):
    """The app's JSON API routes with their methods."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX) and rule.endpoint.startswith("api."):
            yield rule, sorted((rule.methods or set()) - IGNORED_METHODS)


def undescribed_routes(app: Flask) -> list[str]:
    """API routes (endpoint and method) this module has no entry for."""
    return [f"{method} {rule.rule} ({rule.endpoint})" for rule, methods in api_rules(app) for method in methods
            if rule.endpoint not in OPERATIONS]


def build_document() -> dict:
    """The OpenAPI 3.1 document for the current app; the caller adds ``servers`` (the app's root address)."""
    app = current_app._get_current_object()
    spec = APISpec(
        title=TITLE, version=VERSION, openapi_version="3.1.0", plugins=[FlaskPlugin()],
        info={"description": "The archive's catalogue, media, subtitles, search and screenings. Errors are "
                             "`{\"error\": {\"code\", \"message\"}}` with the matching status; hidden records "
                             "answer 404. Human-readable: /api/docs."},
    )
    spec.components.security_scheme("bearerToken", {"type": "http", "scheme": "bearer",
                                                    "description": "`flask users token EMAIL`, or an admin at "
                                                                   "/admin/users."})
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    for code, description in ERROR_STATUSES.items():
        spec.components.response(code, {"description": description,
                                         "content": {"application/json": {"schema": ref("Error")}}})
    rules = {rule.endpoint: (rule, methods) for rule, methods in api_rules(app)}
    for endpoint in OPERATIONS:
        if endpoint not in rules:
            raise LookupError(f"The OpenAPI description names {endpoint}, which is no route of the app.")
        rule, methods = rules[endpoint]
        view = app.view_functions[endpoint]
        operation = _operation(endpoint, rule, view)
        spec.path(view=view, app=app, operations={method.lower(): operation for method in methods})
    return spec.to_dict()
