"""Fixtures of the page tests: the mock providers, and the app on a loopback port."""

from __future__ import annotations

from tests.api.conftest import mock_registry, start  # noqa: F401 - fixtures used by the tests
