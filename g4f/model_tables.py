"""The alias tables: public model names and the Hugging Face ids they stand for.

Data only (layer 1): providers build their ``model_aliases`` from these tables and
AnyProvider its model map. The gpt4free-style model objects are in :mod:`g4f.models`.
"""

from __future__ import annotations

__all__ = [
    "CHAT_ALIASES",
    "IMAGE_ALIASES",
    "VIDEO_ALIASES",
    "TEXT_MODELS",
    "VISION_MODELS",
    "IMAGE_MODELS",
    "DEFAULT_MODEL",
    "DEFAULT_VISION_MODEL",
    "DEFAULT_IMAGE_MODEL",
    "EMBEDDING_ALIASES",
    "TRANSCRIPTION_ALIASES",
    "SPEECH_ALIASES",
    "DEFAULT_EMBEDDING_MODEL",
    "DEFAULT_TRANSCRIPTION_MODEL",
    "DEFAULT_SPEECH_MODEL",
    "model_type",
    "is_vision",
]

DEFAULT_MODEL = "openai/gpt-oss-120b"
DEFAULT_VISION_MODEL = "meta-llama/Llama-3.2-11B-Vision-Instruct"
DEFAULT_IMAGE_MODEL = "black-forest-labs/FLUX.1-dev"

TEXT_MODELS: list[str] = [
    DEFAULT_MODEL,
    "meta-llama/Llama-3.3-70B-Instruct",
    "CohereForAI/c4ai-command-r-plus-08-2024",
    "deepseek-ai/DeepSeek-R1",
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
    "Qwen/QwQ-32B",
    "nvidia/Llama-3.1-Nemotron-70B-Instruct-HF",
    "Qwen/Qwen2.5-Coder-32B-Instruct",
    "Qwen/Qwen2.5-72B-Instruct",
    "meta-llama/Llama-3.2-11B-Vision-Instruct",
    "mistralai/Mistral-Nemo-Instruct-2407",
    "microsoft/Phi-3.5-mini-instruct",
    "moonshotai/Kimi-K2-Instruct-0905",
]

VISION_MODELS: list[str] = [DEFAULT_VISION_MODEL, "Qwen/Qwen2-VL-7B-Instruct"]

IMAGE_MODELS: list[str] = [
    "black-forest-labs/FLUX.1-dev",
    "black-forest-labs/FLUX.1-schnell",
]

#: Chat alias → Hugging Face model id.
CHAT_ALIASES: dict[str, str] = {
    "gpt-oss-120b": DEFAULT_MODEL,
    "llama-3": "meta-llama/Llama-3.3-70B-Instruct",
    "llama-3.3-70b": "meta-llama/Llama-3.3-70B-Instruct",
    "command-r-plus": "CohereForAI/c4ai-command-r-plus-08-2024",
    "deepseek-r1": "deepseek-ai/DeepSeek-R1",
    "deepseek-r1-distill-qwen-32b": "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
    "qwq-32b": "Qwen/QwQ-32B",
    "nemotron-70b": "nvidia/Llama-3.1-Nemotron-70B-Instruct-HF",
    "qwen-2.5-coder-32b": "Qwen/Qwen2.5-Coder-32B-Instruct",
    "qwen-2.5-72b": "Qwen/Qwen2.5-72B-Instruct",
    "llama-3.2-11b": "meta-llama/Llama-3.2-11B-Vision-Instruct",
    "mistral-nemo": "mistralai/Mistral-Nemo-Instruct-2407",
    "phi-3.5-mini": "microsoft/Phi-3.5-mini-instruct",
    "kimi-k2": "moonshotai/Kimi-K2-Instruct-0905",
    "moonshotai/Kimi-K2-Instruct": "moonshotai/Kimi-K2-Instruct-0905",
    "qwen-2-vl-7b": "Qwen/Qwen2-VL-7B-Instruct",
    "gemma-2-27b": "google/gemma-2-27b-it",
    "qwen-2-72b": "Qwen/Qwen2-72B-Instruct",
    "qvq-72b": "Qwen/QVQ-72B-Preview",
}

#: Image alias → Hugging Face model id.
IMAGE_ALIASES: dict[str, str] = {
    "flux": "black-forest-labs/FLUX.1-dev",
    "flux-dev": "black-forest-labs/FLUX.1-dev",
    "flux-schnell": "black-forest-labs/FLUX.1-schnell",
    "stable-diffusion-3.5-large": "stabilityai/stable-diffusion-3.5-large",
    "sd-3.5-large": "stabilityai/stable-diffusion-3.5-large",
    "sdxl-1.0": "stabilityai/stable-diffusion-xl-base-1.0",
    "sdxl-turbo": "stabilityai/sdxl-turbo",
}

#: Video alias → Hugging Face model id.
VIDEO_ALIASES: dict[str, str] = {
    "wan-2.1": "Wan-AI/Wan2.1-T2V-14B",
    "hunyuan-video": "tencent/HunyuanVideo",
    "ltx-video": "Lightricks/LTX-Video",
}


#: Embedding alias → Hub id (feature-extraction).
EMBEDDING_ALIASES: dict[str, str] = {
    "bge-small": "BAAI/bge-small-en-v1.5",
    "bge-base": "BAAI/bge-base-en-v1.5",
    "bge-large": "BAAI/bge-large-en-v1.5",
    "bge-m3": "BAAI/bge-m3",
    "all-minilm-l6-v2": "sentence-transformers/all-MiniLM-L6-v2",
    "multilingual-e5-large": "intfloat/multilingual-e5-large",
}
DEFAULT_EMBEDDING_MODEL = "BAAI/bge-small-en-v1.5"

#: Speech-recognition alias → Hub id; ``whisper-1`` is the name OpenAI's SDKs default to.
TRANSCRIPTION_ALIASES: dict[str, str] = {
    "whisper-1": "openai/whisper-large-v3",
    "whisper-large-v3": "openai/whisper-large-v3",
    "whisper-large-v3-turbo": "openai/whisper-large-v3-turbo",
}
DEFAULT_TRANSCRIPTION_MODEL = "openai/whisper-large-v3"

#: Text-to-speech alias → Hub id; ``tts-1`` is the name OpenAI's SDKs default to.
SPEECH_ALIASES: dict[str, str] = {
    "tts-1": "facebook/mms-tts-eng",
    "tts-1-hd": "facebook/mms-tts-eng",
    "mms-tts-eng": "facebook/mms-tts-eng",
}
DEFAULT_SPEECH_MODEL = "facebook/mms-tts-eng"

_TASK_TYPES = (
    (EMBEDDING_ALIASES, "embedding"),
    (TRANSCRIPTION_ALIASES, "transcription"),
    (SPEECH_ALIASES, "speech"),
)


def model_type(name: str) -> str:
    """``"chat"``, ``"image"``, ``"video"``, ``"embedding"``, ``"transcription"`` or
    ``"speech"`` for a public name or Hub id."""
    if name in IMAGE_ALIASES or name in IMAGE_MODELS or name in IMAGE_ALIASES.values():
        return "image"
    if name in VIDEO_ALIASES or name in VIDEO_ALIASES.values():
        return "video"
    for table, kind in _TASK_TYPES:
        if name in table or name in table.values():
            return kind
    return "chat"


def is_vision(name: str) -> bool:
    """Whether a chat model reads images too."""
    return CHAT_ALIASES.get(name, name) in VISION_MODELS
