"""Accessibility checks shared by the browser tests: axe-core's rules and visible keyboard focus.

axe-core (tests/browser/axe/, see its README) is loaded into the page under test by Playwright over
DevTools, as conftest's CSP reporter is, so the page's strict Content-Security-Policy stays as it is
and the app never serves it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).with_name("axe") / "axe.min.js"
BLOCKING = ("serious", "critical")
RUN_AXE = """async (blocking) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter((v) => blocking.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ") + " (" + (n.failureSummary || "").replace(/\\s+/g, " ").trim() + ")"),
  }));
}"""
FOCUS_RING = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) { return null; }
  const style = getComputedStyle(element);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {ring, element: element.outerHTML.slice(0, 120)};
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, impacts: tuple[str, ...] = BLOCKING) -> list[str]:
    """axe-core's violations of ``impacts`` on the page as it is now, one line per rule with its targets."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source() + "\n;true")
    return [f"{v['impact']} {v['id']} ({v['help']}): " + "; ".join(v["targets"][:5])
            for v in page.evaluate(RUN_AXE, list(impacts))]


def assert_accessible(page: Page, name: str) -> None:
    """No serious or critical axe-core violation on the page; the failure names each rule and its elements."""
    found = axe_violations(page)
    assert not found, f"{name} ({page.url}) has accessibility violations:\n  " + "\n  ".join(found)


def tab_to(page: Page, selector: str, *, most: int = 60, backwards: bool = False) -> list[str]:
    """Press Tab (or Shift+Tab) until an element matching ``selector`` has the focus; every element
    focused on the way must show a focus ring. Returns the elements passed, for messages."""
    passed = []
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUS_RING)
        if focused is None:
            continue
        assert focused["ring"], f"{page.url}: no visible focus on {focused['element']}"
        passed.append(focused["element"])
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return passed
    raise AssertionError(f"{page.url}: {selector} not reached by keyboard in {most} steps; passed {passed}")
