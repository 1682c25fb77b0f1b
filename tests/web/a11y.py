"""Accessibility checks run inside the page under test.

axe-core (installed by scripts/install-browser.sh from tests/web/package-lock.json) finds
what a rule engine can: names, roles, landmarks, text contrast. It runs with every rule
on, the experimental ones included (label-content-name-mismatch is one of them), and any
violation of any impact fails. What axe leaves out is measured here directly: reflow
(nothing wider than the viewport, no control pushed off screen) and the contrast of
control edges and badges, which WCAG 1.4.11 asks for and axe does not compute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

_RUN_AXE = """async () => {
  const experimental = axe.getRules(['experimental']).map(rule => rule.ruleId);
  const rules = Object.fromEntries(experimental.map(id => [id, {enabled: true}]));
  const result = await axe.run(document, {rules, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: JSON.stringify(n.target), html: n.html.slice(0, 300),
                              summary: n.failureSummary}))}));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (the script is injected once)."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make browser` (scripts/install-browser.sh) first")
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol rather than added as a <script>: pages
        # with a Content-Security-Policy (the admin's) refuse inline scripts.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    return list(page.evaluate(_RUN_AXE))


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}: {node['html']}")
            lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, state: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core found violations in state '{state}':\n{describe(violations)}"


_OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const doc = document.scrollingElement || document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) {
    problems.push(`page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
  }
  // Every element that scrolls, in the page and in open shadow roots (the widget).
  const walk = (root, out) => {
    for (const node of root.querySelectorAll('*')) {
      out.push(node);
      if (node.shadowRoot) walk(node.shadowRoot, out);
    }
    return out;
  };
  const all = walk(document, []);
  for (const node of all) {
    const style = getComputedStyle(node);
    if (['auto', 'scroll'].includes(style.overflowX) && node.scrollWidth > node.clientWidth + 1) {
      problems.push(`scrolls sideways: ${node.outerHTML.slice(0, 80)} ` +
                    `${node.scrollWidth} > ${node.clientWidth}`);
    }
  }
  const controls = all.filter(n => n.matches('a[href], button, input, select, textarea, [tabindex]'));
  for (const node of controls) {
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height) continue;                      // not shown
    if (node.closest('.visually-hidden, .vh, .skip-link')) continue;  // off-screen on purpose
    if (box.left < -1 || box.right > vw + 1) {
      problems.push(`control off screen (${Math.round(box.left)}..${Math.round(box.right)} of ${vw}): ` +
                    node.outerHTML.slice(0, 80));
    }
  }
  return problems;
}"""


def reflow_problems(page: Page) -> list[str]:
    """Sideways scrolling anywhere, or a shown control that sticks out of the viewport."""
    return list(page.evaluate(_OVERFLOW))


_CONTRAST = """([selector, part]) => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // The first opaque background at or above a node (the page is white when none is).
  const backdrop = node => {
    for (let n = node; n; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const find = (root, out) => {
    out.push(...root.querySelectorAll(selector));
    for (const n of root.querySelectorAll('*')) if (n.shadowRoot) find(n.shadowRoot, out);
    return out;
  };
  return find(document, []).map(node => {
    const style = getComputedStyle(node);
    const own = backdrop(node);
    const around = backdrop(node.parentElement || node.getRootNode().host);
    const value = part === 'text' ? ratio(parse(style.color).slice(0, 3), own)
                                  : ratio(parse(style.borderTopColor).slice(0, 3), around);
    return [node.outerHTML.slice(0, 80), Math.round(value * 100) / 100];
  });
}"""


def contrast_ratios(page: Page, selector: str, part: str) -> list[tuple[str, float]]:
    """WCAG contrast of each matching element's text ('text': against its own background)
    or edge ('edge': its border against what surrounds it), in the page and the widget."""
    return [(html, float(value)) for html, value in page.evaluate(_CONTRAST, [selector, part])]
