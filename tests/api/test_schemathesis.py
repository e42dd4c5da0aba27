"""schemathesis against the live app: every described operation, generated requests, checked answers.

The app runs on a real socket (``live_server``) with a catalogue to find: a public film with its web
version and subtitles, a photo, hidden records, a collection, venues, a licence and screenings, all
with id 1 and up (the document's path examples are 1). Requests carry an admin's token (so every
operation gets past its role check and reaches its rules), a venue's, or none. It checks that no answer is a 5xx and
that every answer's status, content type and body are the ones the document describes. The number
of generated examples per operation is bounded (``EXAMPLES``) to keep the run short.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import add_subtitles, attach_video, make_collection, make_film, make_photo
from tests.screenings.helpers import screening_records

# A tus chunk (PATCH /api/v1/uploads/...) is raw bytes, sent as application/octet-stream would be.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

# Generated requests per operation and mode; DA_SCHEMATHESIS_EXAMPLES=200 for a longer hunt.
EXAMPLES = int(os.environ.get("DA_SCHEMATHESIS_EXAMPLES", "12"))
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Requests that break the document: still never a 5xx, and the answer is a described error.
CHECKS = {GenerationMode.POSITIVE: CONFORMANCE, GenerationMode.NEGATIVE: CONFORMANCE}


@pytest.fixture
def app_config(app_config):
    """The API's rate limit out of the way: schemathesis sends hundreds of requests a minute."""
    return {**app_config, "API_LIMIT": "1000000 per minute", "TOKEN_FAILURE_LIMIT": "1000000 per minute"}


@pytest.fixture
def catalogue(app, users) -> None:
    """A catalogue to explore: records with ids 1 and up, as the document's examples name."""
    film = make_film("Border Stories", year=2019, description={"hy": "Սահման"})
    attach_video(film, proxy=b"proxy", poster=b"\xff\xd8poster")
    add_subtitles(film, "hy")
    make_photo("Portrait", "partners")
    make_film("Restricted", "restricted")
    make_collection(items=[film])
    screening_records(users)


# An admin reaches every rule, with requests that fit the document and requests that break it; a venue
# and the public meet the role checks and the visibility rule with requests that fit it.
MODES = {"admin": (GenerationMode.POSITIVE, GenerationMode.NEGATIVE), "venue": (GenerationMode.POSITIVE,),
         None: (GenerationMode.POSITIVE,)}


@pytest.mark.parametrize("role", MODES, ids=lambda role: role or "anonymous")
def test_the_api_keeps_to_its_document(live_server, catalogue, token_for, role):
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    headers = token_for(role)
    failures: dict[str, str] = {}
    statuses: Counter = Counter()

    def explore(operation, mode: GenerationMode) -> None:
        strategy = operation.as_strategy(generation_mode=mode)
        if mode == GenerationMode.POSITIVE:
            # The document's own examples (ids of existing records, a whole body) in the mix.
            strategy = st.one_of(*schema.get_strategies_from_examples(operation), strategy)

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS[mode], timeout=30)
            statuses[response.status_code // 100 * 100] += 1

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - gather every operation's failures
            failures[f"{mode.value} {operation.label}"] = str(exc)[:3000]

    # Deletions last, so the records the other operations' examples name are still there.
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.method == "delete")
    described = {f"{method.upper()} {path}" for path, item in schema.raw_schema["paths"].items() for method in item}
    # schemathesis leaves out the address it read the document from; test_openapi checks that one.
    assert {op.label for op in operations} == described - {"GET /api/v1/openapi.json"}
    for mode in MODES[role]:
        for operation in operations:
            explore(operation, mode)
    print(f"schemathesis as {role or 'anonymous'}: {sum(statuses.values())} requests over {len(operations)} operations:",
          dict(statuses))
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
