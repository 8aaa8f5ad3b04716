"""The CLI end to end against the fakes: chat via the fake router, video via the fake media router."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.media import MP4, MediaState, serve_media
from tests.fakes.router import TOKEN, ChatScript, FakeRouter


def test_chat_streams_through_the_router(console, registry, monkeypatch) -> None:
    registry["HuggingFaceAPI"] = "g4f.Provider.hf.HuggingFaceAPI"
    with FakeRouter() as router:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", router.url)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        router.chat = ChatScript(
            content="Paris is the capital of France.", reasoning="Recall.", chunk_size=4
        )
        assert console.run(["chat", "-m", "llama-3.3-70b", "capital of France?"], tty=True) == 0
        assert console.out == "\x1b[2mRecall.\x1b[0m\n\nParis is the capital of France.\n"
        content_writes = [w for w in console.stdout.writes if w and not w.startswith("\x1b")]
        assert len(content_writes) >= 5
        # The only candidate asks for 30 s, more than the 10 s deadline: reported at once.
        monkeypatch.setenv("G4F_TIMEOUT", "10")
        router.faults.add(
            status=429, message="Too many requests", headers={"Retry-After": "30"}, path="/v1/chat"
        )
        assert console.run(["chat", "-m", "llama-3.3-70b", "again"]) == 1
        assert console.err.startswith("g4f: error: RateLimitError: ")
        assert len(console.err.splitlines()) == 1
    assert router.chat_bodies[0]["model"] == "meta-llama/Llama-3.3-70B-Instruct"


def test_video_progress_and_file_through_the_media_router(
    console, registry, monkeypatch, tmp_path: Path
) -> None:
    from tests.fakes.media import TOKEN as MEDIA_TOKEN

    registry["HuggingFaceMedia"] = "g4f.Provider.hf.HuggingFaceMedia"
    state = MediaState()
    with serve_media(state, monkeypatch):
        target = tmp_path / "wave.mp4"
        argv = [
            "video",
            "a wave",
            "-m",
            "wan-2.1",
            "-p",
            "HuggingFaceMedia",
            "--api-key",
            MEDIA_TOKEN,
            "-o",
            str(target),
        ]
        assert console.run(argv) == 0
    assert target.read_bytes() == MP4
    notes = [line.split("] ", 1)[1] for line in console.err.splitlines()]
    assert any(n.startswith("In queue") for n in notes)
    assert any(n.startswith("Completed") for n in notes)
    assert f"saved {target} ({len(MP4)} bytes)" in console.out
    assert MEDIA_TOKEN not in console.err + console.out
