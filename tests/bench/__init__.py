"""Benchmarks of g4f against raw aiohttp and bare Python (issue 8); not part of the unit suite.

Run ``python -m tests.bench`` (or ``python tests/bench/run.py``); results go to
``tests/bench/results/`` and ``docs/performance.md``.
"""
