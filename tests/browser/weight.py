"""Page weight on a phone: the bytes a first visit fetches before the first scroll, by kind, and what
the largest painted picture is. Shared by the browser tests (the budget) and bench/pages.py (the figures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext

PHONE = {"width": 390, "height": 844}
BUDGET_BYTES = 400_000  # HTML + CSS + JS + images + fonts (and other fetches) before the first scroll
KINDS = {"document": "HTML", "stylesheet": "CSS", "script": "JS", "image": "images", "font": "fonts"}
# The largest contentful paint so far: which element, and which picture (a video's is its poster).
LARGEST_PAINT = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const last = list.getEntries().at(-1);
    resolve({element: last.element ? last.element.tagName.toLowerCase() : null, url: last.url || null,
             time: Math.round(last.startTime), size: last.size});
  }).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => resolve(null), 3000);
})"""


@dataclass
class Weight:
    """What one page fetched on a first visit before any scrolling."""

    path: str
    by_kind: dict[str, int] = field(default_factory=dict)
    media: int = 0  # the film's own bytes (the player reads its metadata): not page weight
    files: list[tuple[str, str, int]] = field(default_factory=list)
    largest_paint: dict | None = None
    poster: str | None = None

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def line(self) -> str:
        kinds = ", ".join(f"{kind} {size / 1000:.1f}" for kind, size in sorted(self.by_kind.items()))
        return f"{self.path}: {self.total / 1000:.1f} KB ({kinds}; film data {self.media / 1000:.1f} KB not counted)"


def page_weight(context: BrowserContext, path: str) -> Weight:
    """Open ``path`` in ``context`` (a fresh one: nothing cached), wait until the network is quiet, and add up
    the encoded bytes of every response by kind. Lazy pictures below the fold are not fetched, so not counted."""
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    weight = Weight(path)
    weight.largest_paint = page.evaluate(LARGEST_PAINT)
    weight.poster = page.evaluate("(document.querySelector('.player video') || {}).poster || null")
    for request in finished:
        size = request.sizes()["responseBodySize"]
        if request.resource_type == "media":
            weight.media += size
            continue
        kind = KINDS.get(request.resource_type, "other")
        weight.by_kind[kind] = weight.by_kind.get(kind, 0) + size
        weight.files.append((kind, request.url, size))
    page.close()
    return weight


def poster_without_the_film(context: BrowserContext, path: str) -> dict | None:
    """The film page's largest painted picture while every request for the film itself is refused: the
    poster shows without waiting for the video when this is the player's poster."""
    context.route("**/*", lambda route: route.abort() if route.request.resource_type == "media" else route.continue_())
    page = context.new_page()
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    found = page.evaluate(LARGEST_PAINT)
    poster = page.evaluate("(document.querySelector('.player video') || {}).poster || null")
    page.close()
    return {**found, "poster": poster} if found else None
