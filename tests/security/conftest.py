"""The security suite: hostile inputs and kill -9 interruptions, each one a test case.

Every case is marked ``hostile`` (a bad input fed to a command, page, report or import) or
``kill`` (a process killed with SIGKILL at a chosen point, then restarted). At the end of the
run the suite prints the audit figures docs/security.md quotes: cases tried, handled cleanly,
failed (a crash or a loss).
"""

from __future__ import annotations

from collections import Counter

import pytest

from giamsat.core.profile import Profile

_TALLY: dict[str, Counter] = {"hostile": Counter(), "kill": Counter()}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/security/" in str(item.fspath).replace("\\", "/") and not any(
            item.get_closest_marker(m) for m in _TALLY
        ):
            item.add_marker(pytest.mark.hostile)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/security/" not in report.nodeid.replace("\\", "/") and "security/" not in report.nodeid:
        return
    kind = "kill" if "kill" in report.keywords else ("hostile" if "hostile" in report.keywords else None)
    if kind is None:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _TALLY[kind]["tried"] += 1
        _TALLY[kind]["clean" if report.passed else ("skipped" if report.skipped else "failed")] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    h, k = _TALLY["hostile"], _TALLY["kill"]
    if not (h["tried"] or k["tried"]):
        return
    terminalreporter.write_sep("-", "security figures")
    terminalreporter.write_line(
        f"bad inputs tried: {h['tried']}, handled cleanly: {h['clean']}, crashed or degraded: {h['failed']}"
        + (f", skipped: {h['skipped']}" if h["skipped"] else "")
    )
    terminalreporter.write_line(
        f"kill -9 interruptions tried: {k['tried']}, without loss: {k['clean']}, with loss: {k['failed']}"
    )


@pytest.fixture(scope="session")
def crawl_profile(profile: Profile) -> Profile:
    """The default profile with a small page cap and time-out, no sources of its own."""
    crawl = profile.crawl.model_copy(update={"max_page_bytes": 200_000, "timeout_seconds": 2})
    return profile.model_copy(update={"crawl": crawl, "sources": []})
