"""Real Gradio apps standing in for the Hugging Face Spaces that HuggingSpace talks to.

Every route is gradio's own (the installed ``gradio`` package, ``gradio/routes.py``), so the
wire is the real one; what the apps compute follows each real Space's ``app.py`` as far as the
public copies go (docs/protocols/spaces.md, "The declared Spaces"). The clients they must
satisfy are gradio_client (``gradio_client/client.py``: ``/config``, ``/gradio_api/info``,
``queue/join`` + ``queue/data``, ``upload``) and ``@gradio/client`` (``src/utils/submit.ts``,
``src/helpers/api_info.ts``); tests/providers/hf_space/test_gradio_client_fake.py drives them
with the real ``gradio_client.Client``.

``GradioServer`` (or ``python -m tests.fakes.gradio_app PORT``) serves, on 127.0.0.1 only, one FastAPI
server with one Gradio app per Space mounted under its own path (each has its own
``/config``, ``/gradio_api/queue/...``, ``/gradio_api/call/...``, ``/gradio_api/upload``
and ``/gradio_api/info``), with analytics and every other outbound call disabled:

- ``/black-forest-labs-flux-1-dev`` (FLUX.1-dev shape), ``/infer``: prompt, seed, randomize_seed, width,
  height, guidance_scale, num_inference_steps → a generated PNG and the seed, with progress per step
  (the prompt ``preview`` also streams two preview images first);
- ``/black-forest-labs-flux-1-kontext-dev`` (Kontext shape), ``/infer``: an uploaded image, prompt, seed,
  randomize_seed, guidance_scale, steps → an edited PNG, the seed and a button update;
- ``/stabilityai-stable-diffusion-3-5-large`` (SD 3.5 Large shape, used through the call API), ``/infer``;
- ``/qwen-qwen2-5`` (a chat Space), ``/model_chat``: query, history, system, model → streams
  the answer word by word as Chatbot updates (sent as Gradio diffs). ``slow`` streams
  for a long time (cancellation tests);
- every app: ``/status`` returns what the server saw (ZeroGPU headers, the slow
  generator's progress, and ``requests``: "METHOD /path" of every HTTP request so far).

The prompt/query ``quota`` raises the ZeroGPU quota error, HTML link included.
"""

# No `from __future__ import annotations` here: gradio reads the `gr.Request`
# annotations at run time to inject the request.

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

QUOTA_MESSAGE = (
    "You have exceeded your GPU quota (60s requested vs. 0s left). "
    '<a style="white-space: nowrap;text-underline-offset: 2px;color: var(--body-text-color)" '
    'href="https://huggingface.co/settings/billing">Subscribe to Pro</a> to get more quota. '
    "Try again in 0:02:05"
)

#: Mount path of each fake Space: the subdomain Hugging Face gives the real one.
FLUX_DEV = "black-forest-labs-flux-1-dev"
KONTEXT = "black-forest-labs-flux-1-kontext-dev"
SD35 = "stabilityai-stable-diffusion-3-5-large"
CHAT = "qwen-qwen2-5"
SPACES = (FLUX_DEV, KONTEXT, SD35, CHAT)
_DEAD_PROXY = "http://127.0.0.1:9"

_state: dict[str, Any] = {
    "zerogpu_token": None,
    "zerogpu_uuid": None,
    "cookie": None,
    "authorization": None,
    "slow_steps": 0,
    "slow_closed": False,
    "requests": [],
}


def _offline_env() -> None:
    os.environ.update(
        {
            "GRADIO_ANALYTICS_ENABLED": "False",
            "HF_HUB_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SSR_MODE": "False",
            "GRADIO_HEARTBEAT_INTERVAL": "1",
            "NO_PROXY": "127.0.0.1,localhost",
        }
    )


def _png(width: float, height: float, seed: int, prompt: str) -> Any:
    from PIL import Image

    shade = (seed * 37 + len(prompt) * 11) % 256
    size = (max(8, int(width) // 16), max(8, int(height) // 16))
    return Image.new("RGB", size, (shade, 128, 255 - shade))


def _remember(request: Any) -> None:
    if request is not None:
        _state["zerogpu_token"] = request.headers.get("x-zerogpu-token")
        _state["zerogpu_uuid"] = request.headers.get("x-zerogpu-uuid")
        _state["cookie"] = request.headers.get("cookie")
        _state["authorization"] = request.headers.get("authorization")


def _status() -> dict:
    return dict(_state)


def _image_controls(gr: Any) -> dict[str, Any]:
    return {
        "prompt": gr.Textbox(label="Prompt"),
        "seed": gr.Slider(0, 2**31 - 1, value=0, step=1, label="Seed"),
        "randomize": gr.Checkbox(value=True, label="Randomize seed"),
        "width": gr.Slider(256, 2048, value=1024, step=32, label="Width"),
        "height": gr.Slider(256, 2048, value=1024, step=32, label="Height"),
        "guidance": gr.Slider(1, 15, value=3.5, step=0.1, label="Guidance"),
        "steps": gr.Slider(1, 50, value=28, step=1, label="Steps"),
        "result": gr.Image(label="Result", format="png"),
    }


def flux_dev() -> Any:
    import gradio as gr

    def infer(
        prompt,
        seed,
        randomize_seed,
        width,
        height,
        guidance_scale,
        num_inference_steps,
        request: gr.Request,
        progress=gr.Progress(),  # noqa: B008 - gradio's idiom
    ):
        # Parameter names as in the real Space's app.py (gradio_client calls by keyword).
        _remember(request)
        if prompt == "quota":
            raise gr.Error(QUOTA_MESSAGE)
        seed = 42 if randomize_seed else int(seed)
        delay = 0.3 if prompt == "slow" else 0.02
        steps = int(num_inference_steps)
        for step in progress.tqdm(range(steps), desc="Sampling", unit="steps"):
            time.sleep(delay)
            if prompt == "preview" and step in (steps // 3, 2 * steps // 3):
                # Like the real Space: blurry previews while sampling (sent as diffs).
                yield _png(64 + 64 * step, 64, step, prompt), seed
        yield _png(width, height, seed, prompt), seed

    with gr.Blocks(analytics_enabled=False) as demo:
        c = _image_controls(gr)
        gr.Button("Run").click(
            infer,
            [
                c["prompt"],
                c["seed"],
                c["randomize"],
                c["width"],
                c["height"],
                c["guidance"],
                c["steps"],
            ],
            [c["result"], c["seed"]],
            api_name="infer",
        )
        gr.Button("Status").click(_status, None, gr.JSON(), api_name="status")
    return demo


def kontext() -> Any:
    import gradio as gr

    def infer(
        image,
        prompt,
        seed,
        randomize_seed,
        guidance_scale,
        steps,
        request: gr.Request,
        progress=gr.Progress(),  # noqa: B008
    ):
        _remember(request)
        if image is None:
            raise gr.Error("Upload an image first")
        for _ in progress.tqdm(range(int(steps)), desc="Editing"):
            time.sleep(0.01)
        edited = image.resize((image.width * 2, image.height * 2))
        # The real app also shows its "reuse this image" button: a third output.
        return edited, 7, gr.Button(visible=True)

    with gr.Blocks(analytics_enabled=False) as demo:
        source = gr.Image(label="Input", type="pil")
        c = _image_controls(gr)
        reuse = gr.Button("Reuse this image", visible=False)
        gr.Button("Edit").click(
            infer,
            [source, c["prompt"], c["seed"], c["randomize"], c["guidance"], c["steps"]],
            [c["result"], c["seed"], reuse],
            api_name="infer",
        )
        gr.Button("Status").click(_status, None, gr.JSON(), api_name="status")
    return demo


def sd35() -> Any:
    import gradio as gr

    def infer(
        prompt,
        negative_prompt,
        seed,
        randomize_seed,
        width,
        height,
        guidance_scale,
        num_inference_steps,
    ):
        if prompt == "quota":
            raise gr.Error(QUOTA_MESSAGE)
        return _png(width, height, int(seed), prompt + negative_prompt), int(seed)

    with gr.Blocks(analytics_enabled=False) as demo:
        c = _image_controls(gr)
        negative = gr.Textbox(label="Negative prompt")
        gr.Button("Run").click(
            infer,
            [
                c["prompt"],
                negative,
                c["seed"],
                c["randomize"],
                c["width"],
                c["height"],
                c["guidance"],
                c["steps"],
            ],
            [c["result"], c["seed"]],
            api_name="infer",
        )
    return demo


def chat() -> Any:
    import gradio as gr

    def model_chat(query, history, system, model):
        history = list(history or [])
        if query == "quota":
            raise gr.Error(QUOTA_MESSAGE)
        history.append({"role": "user", "content": query})
        history.append({"role": "assistant", "content": ""})
        if query == "slow":
            _state.update(slow_steps=0, slow_closed=False)
            try:
                for step in range(600):
                    _state["slow_steps"] = step + 1
                    history[-1]["content"] += "tick "
                    time.sleep(0.05)
                    yield "", history, system
            finally:
                _state["slow_closed"] = True
            return
        turns = sum(1 for m in history if m["role"] == "user")
        words = f"[{model} turn {turns}] {system}: {query}".split(" ")
        for index, word in enumerate(words):
            history[-1]["content"] += ("" if index == 0 else " ") + word
            time.sleep(0.01)
            yield "", history, system

    with gr.Blocks(analytics_enabled=False) as demo:
        query = gr.Textbox(label="Query")
        chatbot = gr.Chatbot(label="Chat")
        system = gr.Textbox(label="System", value="You are a helpful assistant.")
        model = gr.Radio(["72B", "32B", "7B"], value="72B", label="Model")
        gr.Button("Send").click(
            model_chat,
            [query, chatbot, system, model],
            [query, chatbot, system],
            api_name="model_chat",
        )
        gr.Button("Status").click(_status, None, gr.JSON(), api_name="status")
    return demo


def build_app() -> Any:
    """The FastAPI app with every fake Space mounted under its own path."""
    import fastapi
    import gradio as gr

    app = fastapi.FastAPI()

    @app.middleware("http")
    async def log_requests(request: Any, call_next: Any) -> Any:
        _state["requests"].append(f"{request.method} {request.url.path}")
        return await call_next(request)

    for path, build in zip(SPACES, (flux_dev, kontext, sd35, chat), strict=True):
        demo = build().queue(default_concurrency_limit=4)
        app = gr.mount_gradio_app(app, demo, path=f"/{path}", show_error=True, ssr_mode=False)
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the apps on 127.0.0.1:PORT until terminated (SIGTERM stops uvicorn cleanly)."""
    _offline_env()
    args = sys.argv[1:] if argv is None else argv
    import uvicorn

    config = uvicorn.Config(build_app(), host="127.0.0.1", port=int(args[0]), log_level="warning")
    server = uvicorn.Server(config)
    server.run()


class GradioServer:
    """The fake Spaces in a subprocess on 127.0.0.1 (a context manager).

    A subprocess keeps gradio's threads, sockets and warnings out of the test
    process; leaving the block terminates it and waits for it, so nothing leaks.
    """

    def __init__(self, startup_timeout: float = 120.0) -> None:
        self.startup_timeout = startup_timeout
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def space_url(self, mount: str) -> str:
        return f"{self.url}/{mount}"

    def __enter__(self) -> "GradioServer":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        # Any attempt to leave 127.0.0.1 goes to a dead proxy and fails at once.
        env = dict(
            os.environ,
            GRADIO_ANALYTICS_ENABLED="False",
            HF_HUB_OFFLINE="1",
            HTTP_PROXY=_DEAD_PROXY,
            HTTPS_PROXY=_DEAD_PROXY,
            ALL_PROXY=_DEAD_PROXY,
            NO_PROXY="127.0.0.1,localhost",
            PYTHONWARNINGS="ignore",
        )
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.gradio_app", str(self.port)],
            cwd=root,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.space_url(CHAT)}/config", timeout=2):
                    return self
            time.sleep(0.2)
        output = self.output()
        self.__exit__(None, None, None)
        raise RuntimeError(f"the fake Gradio server did not start:\n{output[-2000:]}")

    def output(self) -> str:
        """What the server printed so far."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def space_status(server: "GradioServer", mount: str = CHAT) -> dict:
    """What the fake Spaces saw, read through their own call API."""
    base = f"{server.space_url(mount)}/gradio_api/call/status"
    request = urllib.request.Request(
        base, data=b'{"data": []}', headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local fake
        event_id = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{base}/{event_id}", timeout=10) as response:  # noqa: S310
        for line in response.read().decode().splitlines():
            if line.startswith("data:"):
                data = json.loads(line[5:])
                if isinstance(data, list):
                    return data[0]
    raise AssertionError("no status from the fake Space")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local fake
        return response.read()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


if __name__ == "__main__":
    main()
