"""
Accessibility, checked by axe-core inside the page as a person's browser shows it.

Only the WCAG 2.1 A and AA rules run: those are the bar the product sets, and they
are the rules axe can decide without a human (best-practice rules are left out).
"""

from tests.check_tools import AXE_SCRIPT

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """tags => axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
})"""


def axe_violations(page):
    """Inject axe-core into `page` (once) and return its WCAG 2.1 A/AA violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(RUN_AXE, WCAG_21_AA)["violations"]


def describe(violations):
    """One paragraph per rule broken: what, how bad, where (selector and markup), and why."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:200]}")
            summary = node.get("failureSummary", "").splitlines()
            if len(summary) > 1:
                lines.append(f"       {summary[1].strip()}")
    return "\n".join(lines)


def assert_accessible(page):
    """Fail, listing every violation readably, unless axe finds none on the page as it is now."""
    violations = axe_violations(page)
    assert not violations, (
        f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {page.url}:\n"
        + describe(violations)
    )
