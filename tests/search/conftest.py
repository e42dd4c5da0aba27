"""Search tests: the two-node test needs the scaled services, so an embedded-only run leaves it out."""

from tests.conftest import PROFILES

collect_ignore = [] if "scaled" in PROFILES else ["test_two_nodes.py"]
