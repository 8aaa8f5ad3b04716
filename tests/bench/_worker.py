"""``python -m tests.bench._worker MODULE PARAMS_JSON``: one measurement in a fresh process.

Calls ``tests.bench.MODULE.work(params)`` (a coroutine function or a plain one) and
prints its JSON result as the last line of stdout.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import sys


def main(argv: list[str]) -> None:
    module = importlib.import_module(f"tests.bench.{argv[0]}")
    params = json.loads(argv[1])
    result = module.work(params)
    if inspect.iscoroutine(result):
        result = asyncio.run(result)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
