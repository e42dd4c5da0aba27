"""The lock files install what requirements*.txt ask for: every requirement pinned, in range, with hashes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _requirements(name: str) -> list[Requirement]:
    """The requirements a file names, following ``-r`` includes."""
    found = []
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += _requirements(line[3:].strip())
        elif line:
            found.append(Requirement(line))
    return found


def _pins(name: str) -> dict[str, tuple[Version, int]]:
    """Each pinned package of a lock file with its version and how many hashes it lists."""
    pins: dict[str, tuple[Version, int]] = {}
    current = None
    for line in (ROOT / name).read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (Version(match.group(2)), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


@pytest.mark.parametrize("wanted, lock", [("requirements.txt", "requirements.lock"),
                                          ("requirements-dev.txt", "requirements-dev.lock")])
def test_every_requirement_is_locked_in_range_with_hashes(wanted, lock):
    pins = _pins(lock)
    for requirement in _requirements(wanted):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is missing from {lock}: run make lock"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version}, outside {requirement}: run make lock")
        assert hashes > 0, f"{name} has no hash in {lock}: run make lock"


def test_the_dev_lock_keeps_the_runtime_pins_and_the_advisory_floors_hold():
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: pin[0] for name, pin in runtime.items() if name in dev} == {
        name: dev[name][0] for name in runtime if name in dev}
    assert set(runtime) <= set(dev)
    # Releases with published advisories stay out, in the floors as in the pins.
    for name, floor, advised in (("gunicorn", "23.0", "22.0.0"), ("pillow", "11.3", "11.2.1"), ("jinja2", "3.1.6", "3.1.5")):
        assert runtime[name][0] >= Version(floor), name
        wanted = [r for r in _requirements("requirements.txt") if canonicalize_name(r.name) == name]
        assert wanted and not any(r.specifier.contains(advised) for r in wanted), f"requirements.txt allows {name} {advised}"
