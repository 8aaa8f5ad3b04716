"""``python -m tests.bench``: run the benchmarks (see :mod:`tests.bench.run`)."""

from __future__ import annotations

from tests.bench.run import main

raise SystemExit(main())
