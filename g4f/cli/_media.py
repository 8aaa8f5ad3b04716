"""``g4f image`` and ``g4f video``: generate, show progress, save or print the result."""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import time
from contextlib import aclosing
from typing import Any

from ._term import Term

__all__ = ["add_media_parsers", "run_media"]


def add_media_parsers(sub: Any) -> None:
    for kind, default in (("image", "flux"), ("video", None)):
        parser = sub.add_parser(
            kind, help=f"generate {'an image' if kind == 'image' else 'a video'} from a prompt"
        )
        parser.add_argument("prompt", nargs="+", help="what to generate")
        parser.add_argument(
            "-m",
            "--model",
            default=default,
            help=f"model name or alias (default: {default or 'the first video model'})",
        )
        parser.add_argument(
            "-p",
            "--provider",
            default=None,
            help="provider name (default: every provider serving the model)",
        )
        parser.add_argument(
            "-o",
            "--output",
            default=None,
            help="file to save to (several results get -1, -2... suffixes)",
        )
        parser.add_argument("-n", type=int, default=1, help="how many results (1-10)")
        parser.add_argument("--size", default=None, help="WIDTHxHEIGHT, e.g. 1024x768")
        parser.add_argument(
            "--api-key", default=None, help="Hugging Face token (default: HF_TOKEN or the hf login)"
        )
        parser.add_argument("--proxy", default=None, help="proxy URL for the provider requests")
        parser.add_argument(
            "--json", action="store_true", help="print the results (url, file, bytes) as JSON"
        )
        parser.set_defaults(command=kind)


def _size(value: str | None) -> dict[str, int]:
    from ._term import UsageError

    if not value:
        return {}
    width, sep, height = value.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise UsageError(f"--size must look like 1024x768, not {value!r}")
    return {"width": int(width), "height": int(height)}


def _targets(output: str, count: int) -> list[str]:
    if count == 1:
        return [output]
    root, ext = os.path.splitext(output)
    return [f"{root}-{i + 1}{ext}" for i in range(count)]


def _extension(url: str, kind: str) -> str:
    if url.startswith("data:"):
        mime = url[5:].split(";", 1)[0].split(",", 1)[0]
        return mimetypes.guess_extension(mime) or (".png" if kind == "image" else ".mp4")
    ext = os.path.splitext(url.split("?", 1)[0])[1]
    return ext if 1 < len(ext) <= 5 else (".png" if kind == "image" else ".mp4")


async def run_media(args: argparse.Namespace, term: Term) -> int:
    """Generate, showing the provider's progress notes, then save or print the results."""
    from ..client._chat import iter_events
    from ..client.images import fetch_bytes
    from ..client.service import provider_name, resolve_provider
    from ..errors import InvalidRequestError, ResponseError
    from ..model_tables import VIDEO_ALIASES
    from ..providers.response import ImagePreview

    kind = args.command
    if not 1 <= args.n <= 10:
        raise InvalidRequestError("-n must be between 1 and 10")
    prompt = " ".join(args.prompt).strip()
    model = args.model or next(iter(VIDEO_ALIASES))
    provider = resolve_provider(args.provider)
    params: dict[str, Any] = {"prompt": prompt, "n": args.n, **_size(args.size)}
    for name in ("api_key", "proxy"):
        if getattr(args, name):
            params[name] = getattr(args, name)
    name = provider_name(provider)
    results: list[tuple[str, dict[str, Any]]] = []
    term.spin(f"{kind}: asking {name} for {model}")
    events = iter_events(provider, model, [{"role": "user", "content": prompt}], **params)
    async with aclosing(events):
        async for event in events:
            if event.kind == "progress":
                term.status(str(event.value))
            elif event.kind == "provider":
                name = event.value.name or name
                term.status(f"{kind}: {name} is working on {event.value.model or model}")
            elif event.kind == "media":
                if isinstance(event.value, ImagePreview):
                    term.status(f"{kind}: preview received")
                    continue
                results += [(url, event.value.options) for url in event.value.get_list()]
    if not results:
        raise ResponseError(f"{name}: no {kind} in the response", provider=name)
    results = results[: args.n]
    if args.output:
        targets = _targets(args.output, len(results))
    else:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        targets = [
            ""
            if url.startswith(("http://", "https://"))
            else f"g4f-{kind}-{stamp}-{i + 1}{_extension(url, kind)}"
            for i, (url, _) in enumerate(results)
        ]
    report: list[dict[str, Any]] = []
    for (url, options), target in zip(results, targets, strict=True):
        if not target:
            report.append({"url": url, "file": None, "bytes": None})
            if not args.json:
                term.content(url)
                term.finish()
            continue
        data = await fetch_bytes(url, options, params.get("proxy"))
        directory = os.path.dirname(os.path.abspath(target))
        os.makedirs(directory, exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
        remote = url if url.startswith(("http://", "https://")) else None
        report.append({"url": remote, "file": os.path.abspath(target), "bytes": len(data)})
        if not args.json:
            term.content(f"saved {target} ({len(data)} bytes)")
            term.finish()
    if args.json:
        term.line(json.dumps({"provider": name, "model": model, "results": report}, indent=2))
    return 0
