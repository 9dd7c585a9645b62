"""Mutua's pytest plugin, loaded by `-p mutua.pytest_plugin` (pyproject) before Django starts.

- Gives the test run a secret key, since settings refuse to start without one outside debugging.
- `MUTUA_REQUIRE_ALL=1` (set by `.ci/run`) turns every skipped test into a failure, so a missing
  PostgreSQL or browser in CI cannot hide behind a skip.
"""

import os

import pytest

os.environ.setdefault("MUTUA_SECRET_KEY", "test-only-secret-key-not-for-production")
# The test client speaks plain HTTP; production security settings are tested in `web` by subprocess.
os.environ.setdefault("MUTUA_SECURE", "0")

REQUIRE_ALL = os.environ.get("MUTUA_REQUIRE_ALL") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"MUTUA_REQUIRE_ALL=1 forbids skipping: {reason}"


def _hypothesis_profile() -> None:
    """Property tests judge correctness, not speed: a busy 2-core CI machine must not fail them."""
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "mutua", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
    )
    settings.load_profile("mutua")


_hypothesis_profile()
