"""The HTML report opened in a real headless Chromium with the network unreachable: its
plots render (laid out by the browser, and visible in a screenshot)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from scripted import ENV, Scripted, standard_cases

from browser_support import dump_dom, screenshot
from llmrouter.config.schema import SwitchCriteriaConfig
from llmrouter.eval import evaluate
from llmrouter.experiments.comparison import compare
from llmrouter.experiments.html import write_report
from llmrouter.experiments.html.svg import PALETTE
from llmrouter.testing import LocalProviderServer

ROUTES = ["right-route", "wrong-route", "refusing-route", "erroring-route"]

# Appended to a copy of the page only: measures what the browser laid out.
PROBE = """<script>
const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('circle, rect')].filter(m => {
    const b = m.getBBox(); return b.width > 0 && b.height > 0; }).length;
  return {chart: svg.dataset.chart, width: box.width, height: box.height, marks};
});
const out = document.createElement('pre'); out.id = 'layout';
out.textContent = JSON.stringify(charts); document.body.appendChild(out);
</script>"""


@pytest.fixture
async def report(tmp_path: Path) -> AsyncIterator[Path]:
    async with LocalProviderServer() as server:
        scripted = Scripted(server)
        scripted.wrong.set_latency(0.02)
        result = await evaluate(
            standard_cases(), config=scripted.config(), routes=ROUTES, env=ENV, store=None
        )
    comparison = compare(result.run, result.records, SwitchCriteriaConfig(min_samples=5))
    yield write_report(tmp_path / "report.html", [comparison], SwitchCriteriaConfig())


def test_report_needs_nothing_from_the_network(report: Path) -> None:
    html = report.read_text()
    assert not re.search(r"https?://|//cdn|<link|<script|@import|url\(|src=", html)


def test_plots_are_laid_out_by_the_browser(report: Path, tmp_path: Path) -> None:
    probed = tmp_path / "probed.html"
    probed.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    dom = dump_dom(probed)
    layout = json.loads(re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S).group(1))  # type: ignore[union-attr]
    assert [c["chart"] for c in layout] == ["cost-quality", "latency", "check-rates", "outcomes"]
    for chart in layout:
        assert chart["width"] > 300 and chart["height"] > 100, chart
    marks = {c["chart"]: c["marks"] for c in layout}
    assert marks["cost-quality"] == 4  # one point per route
    assert marks["outcomes"] >= 4 + 4  # a bar per route, and the legend
    assert marks["latency"] >= 30  # 3 routes answered, 10 dots and a box each
    assert "safe to switch" in dom or "not safe" in dom


def test_screenshot_shows_the_routes_colours(report: Path) -> None:
    image = screenshot(report)
    for color in PALETTE[:3]:  # the routes that answered: points, dots, boxes, bars
        rgb = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
        assert image.count(rgb) > 100, color  # type: ignore[arg-type]
