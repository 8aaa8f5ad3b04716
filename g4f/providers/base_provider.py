"""Provider contracts: the base classes every provider derives from.

A provider is a class used through classmethods. Its one real entry point is
``create_async_generator(model, messages, **kwargs)``, an async generator of
``str`` text and typed chunks from :mod:`g4f.providers.response`. The other entry
points (``create_completion`` for sync code, ``create_async`` for one string) are
derived from it, or it is derived from them for providers written sync or
coroutine style, so each behaviour is written once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

from ..config import default_stream_timeout, default_timeout
from ..errors import CloudflareError, MissingAuthError, ModelNotFoundError
from ..inputs import check_model_id
from ..state import get_store
from ..typing import Messages
from .response import AuthResult, is_content

__all__ = [
    "BaseProvider",
    "AbstractProvider",
    "AsyncProvider",
    "AsyncGeneratorProvider",
    "AsyncAuthedProvider",
    "ProviderModelMixin",
    "same_credentials",
    "discovered_stamp",
]


class BaseProvider:
    """Declared facts about a provider plus the derived entry points."""

    url: ClassVar[str] = ""
    working: ClassVar[bool] = True
    needs_auth: ClassVar[bool] = False
    supports_stream: ClassVar[bool] = True
    supports_system_message: ClassVar[bool] = True
    supports_message_history: ClassVar[bool] = True
    parent: ClassVar[str | None] = None
    #: False for providers reached only through an aggregator (Space children).
    include_in_any: ClassVar[bool] = True
    label: ClassVar[str | None] = None
    login_url: ClassVar[str | None] = None

    @classmethod
    def get_parent(cls) -> str:
        """The family name used for keys and cache files (``parent`` or the class name)."""
        return cls.parent or cls.__name__

    @classmethod
    def get_label(cls) -> str:
        return cls.label or cls.__name__

    @classmethod
    def get_dict(cls) -> dict[str, Any]:
        """A JSON-able summary of the provider."""
        return {
            "name": cls.__name__,
            "label": cls.get_label(),
            "url": cls.url,
            "working": cls.working,
            "needs_auth": cls.needs_auth,
            "parent": cls.parent,
        }

    @classmethod
    def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Stream the answer as text and typed chunks (the one entry point)."""
        raise NotImplementedError(f"{cls.__name__} implements no entry point")

    @classmethod
    def create_completion(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[Any]:
        """Sync iterator over the same chunks (driven on g4f's background loop)."""
        from .._loop import iter_sync

        return iter_sync(cls.create_async_generator(model, messages, stream=stream, **kwargs))

    @classmethod
    async def create_async(cls, model: str, messages: Messages, **kwargs: Any) -> str:
        """The whole text answer as one string."""
        parts: list[str] = []
        async for chunk in cls.create_async_generator(model, messages, **kwargs):
            if isinstance(chunk, str):
                parts.append(chunk)
        return "".join(parts)

    @classmethod
    def has_credentials(cls, api_key: Any = None, **kwargs: Any) -> bool:
        """Whether this call can authenticate (always true when no auth is needed).

        The default knows Hugging Face tokens (argument, environment, token file);
        cookie-based providers override it.
        """
        if not cls.needs_auth:
            return True
        if api_key:
            return True
        from ..config import get_hf_token

        return bool(get_hf_token())

    @classmethod
    def open_session(cls, **kwargs: Any) -> Any:
        """A :class:`~g4f.requests.StreamSession` with this call's proxy and timeouts."""
        from ..requests import StreamSession

        return StreamSession(
            headers=kwargs.get("headers"),
            cookies=kwargs.get("cookies"),
            proxy=kwargs.get("proxy"),
            timeout=kwargs.get("timeout") or default_timeout(),
            stream_timeout=kwargs.get("stream_timeout") or default_stream_timeout(),
            impersonate=kwargs.get("impersonate"),
            provider=cls.__name__,
        )


class AbstractProvider(BaseProvider):
    """A provider written as a sync generator: override ``create_completion``."""

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        if cls.create_completion.__func__ is BaseProvider.create_completion.__func__:  # type: ignore[attr-defined]
            raise NotImplementedError(f"{cls.__name__} implements no entry point")
        iterator = iter(cls.create_completion(model, messages, **kwargs))
        end = object()
        try:
            while True:
                chunk = await asyncio.to_thread(next, iterator, end)
                if chunk is end:
                    return
                yield chunk
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()


class AsyncProvider(BaseProvider):
    """A provider written as one coroutine: override ``create_async`` (returns the text)."""

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        kwargs.pop("stream", None)
        yield await cls.create_async(model, messages, **kwargs)

    @classmethod
    async def create_async(cls, model: str, messages: Messages, **kwargs: Any) -> str:
        raise NotImplementedError(f"{cls.__name__} implements no entry point")


class AsyncGeneratorProvider(BaseProvider):
    """A provider written as an async generator: override ``create_async_generator``."""


class ProviderModelMixin:
    """Static model lists, alias resolution and a per-class cache of discovered models."""

    default_model: ClassVar[str | None] = ""
    default_vision_model: ClassVar[str | None] = None
    default_image_model: ClassVar[str | None] = None
    models: ClassVar[list[str]] = []
    model_aliases: ClassVar[dict[str, str]] = {}
    image_models: ClassVar[list[str]] = []
    vision_models: ClassVar[list[str]] = []
    video_models: ClassVar[list[str]] = []
    #: Accept model ids that are not listed (the service decides).
    accepts_any_model: ClassVar[bool] = False
    #: Model id prefixes this provider alone understands (``space:`` for Spaces).
    model_prefixes: ClassVar[tuple[str, ...]] = ()
    #: Seconds a discovered list stays fresh.
    models_ttl: ClassVar[float] = 3600.0

    @classmethod
    def get_models(cls, **kwargs: Any) -> list[str]:
        """Discovered models when cached and fresh, else the static list. Never fetches."""
        cached = get_store().get(_models_key(cls))
        if cached is not None:
            return list(cached[1])
        return cls.static_models()

    @classmethod
    def static_models(cls) -> list[str]:
        """The declared models, defaults first, without duplicates."""
        ordered = [m for m in (cls.default_model,) if m] + list(cls.models)
        ordered += list(cls.image_models) + list(cls.vision_models) + list(cls.video_models)
        return list(dict.fromkeys(ordered))

    @classmethod
    async def fetch_models(cls, **kwargs: Any) -> list[str]:
        """Ask the service for its models (providers override); static list by default."""
        return cls.static_models()

    @classmethod
    async def refresh_models(cls, **kwargs: Any) -> list[str]:
        """Fetch, cache for ``models_ttl`` and return the models; static list when it fails.

        The fetch is a metadata look-up: bounded by its own short timeout (and the call's
        deadline), a failure remembered briefly so the next call does not wait again.
        """
        from ..debug import logger
        from .lookup import lookup

        try:
            models = await lookup(
                f"discovery:{_models_key(cls)}",
                lambda: cls.fetch_models(**kwargs),
                ttl=0,
                what="model discovery",
                provider=cls.__name__,
            )
        except Exception as exc:  # noqa: BLE001 - discovery is best effort by contract
            logger.debug(
                "%s: model discovery failed (%s); using the static list",
                cls.__name__,
                type(exc).__name__,
            )
            return cls.static_models()
        if models:
            get_store().set(_models_key(cls), (time.time(), list(models)), cls.models_ttl)
            return list(models)
        return cls.static_models()

    @classmethod
    def any_model_keys(cls) -> dict[str, str]:
        """What this provider contributes to AnyProvider's map: public name → its model id.

        Every model id maps to itself and every alias whose target the provider serves
        maps to that target. Providers that should contribute less override this.
        """
        models = cls.get_models()
        keys = {model: model for model in models}
        for alias, target in cls.model_aliases.items():
            if target in keys or cls.accepts_any_model:
                keys.setdefault(alias, target)
        return keys

    @classmethod
    def clear_models_cache(cls) -> None:
        get_store().delete(_models_key(cls))

    @classmethod
    def get_model(cls, model: str | None, **kwargs: Any) -> str:
        """The provider's id for ``model`` (alias resolved, default for empty).

        A model that is neither an alias nor a Hub id is an InvalidRequestError, before
        any request (:func:`g4f.inputs.check_model_id`).
        """
        check_model_id(model or "", cls.model_aliases)
        if not model:
            if cls.default_model:
                return cls.default_model
            raise ModelNotFoundError(f"{cls.__name__}: no model given and no default model")
        if model in cls.model_aliases:
            return cls.model_aliases[model]
        if model in cls.get_models() or cls.accepts_any_model:
            return model
        raise ModelNotFoundError(f"{cls.__name__}: model not found: {model}", provider=cls.__name__)


def _auth_key(cls: Any) -> str:
    return f"hc:auth:{cls.get_parent()}"


def _models_key(cls: type) -> str:
    return f"models:{cls.__module__}.{cls.__qualname__}"


def discovered_stamp(cls: type) -> float | None:
    """When ``cls``'s discovered models were stored (None: none are fresh)."""
    cached = get_store().get(_models_key(cls))
    return None if cached is None else float(cached[0])


class AsyncAuthedProvider(AsyncGeneratorProvider):
    """A provider whose requests need credentials obtained by a login step.

    Subclasses implement ``on_auth_async`` (an async generator that may yield
    ``RequestLogin`` chunks and must end with an ``AuthResult``) and
    ``create_authed``. ``on_auth_async`` receives the call's keyword arguments plus
    ``reauth`` (True on the second attempt) and ``failed_auth`` (the credentials the
    service just rejected, to be skipped). It decides where credentials come from;
    the default uses the cache file only.

    Credentials that worked and differ from the cached ones are cached in
    ``{cookies_dir}/auth_{parent}.json`` (0600, atomic). When the service rejects
    the credentials (:class:`MissingAuthError`, :class:`CloudflareError`) before any
    content, the failover engine authenticates exactly once more (``reauth=True``);
    a second rejection is a :class:`MissingAuthError` saying how to log in.
    """

    @classmethod
    async def on_auth_async(cls, **kwargs: Any) -> AsyncIterator[Any]:
        """Credentials: the cached ones, unless they are the ones that just failed."""
        cached = cls.read_auth_cache()
        if cached is not None and not same_credentials(cached, kwargs.get("failed_auth")):
            yield cached
            return
        raise MissingAuthError(
            f"{cls.__name__}: not logged in. {cls.login_hint()}", provider=cls.__name__
        )

    @classmethod
    async def create_authed(
        cls, model: str, messages: Messages, auth_result: AuthResult, **kwargs: Any
    ) -> AsyncIterator[Any]:
        raise NotImplementedError
        yield  # pragma: no cover

    @classmethod
    def get_cache_file(cls) -> Path:
        from ..cookies import get_cookies_dir

        return Path(get_cookies_dir()) / f"auth_{cls.get_parent()}.json"

    @classmethod
    def read_auth_cache(cls) -> AuthResult | None:
        """The cached credentials; ``None`` when there are none or the file is corrupt (logged)."""
        from ..cookies import read_json_file

        path = cls.get_cache_file()
        # A server sharing state keeps credentials in the store, so every worker and
        # instance uses the same session (create_async_generator pulls them in).
        store = get_store()
        data = store.get(_auth_key(cls)) if store.shared else None
        if data is None:
            data = read_json_file(path)
        if data is None:
            return None
        if not _valid_auth_data(data):
            from ..debug import logger

            logger.warning("Ignoring the corrupt auth cache %s", path.name)
            return None
        from .._secrets import add_secret

        for value in (data.get("cookies") or {}).values():
            add_secret(value)
        add_secret(data.get("api_key"))
        # Keys that would shadow AuthResult's methods (or private ones) are not credentials.
        return AuthResult(
            **{
                k: v
                for k, v in data.items()
                if not k.startswith("_") and not hasattr(AuthResult, k)
            }
        )

    @classmethod
    def write_auth_cache(cls, auth_result: AuthResult) -> None:
        from ..cookies import write_private_json

        store = get_store()
        if store.shared:
            store.set(_auth_key(cls), auth_result.get_dict())
        write_private_json(cls.get_cache_file(), auth_result.get_dict())

    @classmethod
    def _cache_quietly(cls, auth_result: AuthResult) -> None:
        """Cache credentials that worked; a cache that cannot be written never breaks an answer."""
        try:
            cls.write_auth_cache(auth_result)
        except OSError as exc:
            from ..debug import logger

            logger.warning(
                "%s: cannot write the auth cache (%s)",
                cls.__name__,
                exc.strerror or type(exc).__name__,
            )

    @classmethod
    def _is_cached(cls, auth_result: AuthResult) -> bool:
        cached = cls.read_auth_cache()
        return cached is not None and cached.get_dict() == auth_result.get_dict()

    @classmethod
    async def _authenticate(cls, **kwargs: Any) -> AsyncIterator[Any]:
        result: AuthResult | None = None
        async for chunk in cls.on_auth_async(**kwargs):
            if isinstance(chunk, AuthResult):
                result = chunk
            else:
                yield chunk
        if result is None:
            raise MissingAuthError(f"{cls.__name__}: login did not produce credentials")
        yield result

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        reauth: bool = False,
        failed_auth: AuthResult | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """One attempt: authenticate, then answer with those credentials.

        When the service rejects them before any content, the error carries
        ``failed_auth`` and the failover engine makes one more attempt with
        ``reauth=True`` (its re-authentication attempt kind); a rejection then is a
        :class:`MissingAuthError` saying how to log in.
        """
        auth: AuthResult | None = None
        store = get_store()
        if store.shared:  # the credentials another worker stored, into this process
            await store.aget(_auth_key(cls))
        async for chunk in cls._authenticate(reauth=reauth, failed_auth=failed_auth, **kwargs):
            if isinstance(chunk, AuthResult):
                auth = chunk
            else:
                yield chunk
        assert auth is not None
        to_cache = not cls._is_cached(auth)
        answering = False
        try:
            async for chunk in cls.create_authed(model, messages, auth, **kwargs):
                if not answering and is_content(chunk):
                    answering = True
                    if to_cache:
                        cls._cache_quietly(auth)
                        to_cache = False
                yield chunk
        except (MissingAuthError, CloudflareError) as exc:
            error = MissingAuthError(
                f"{cls.__name__}: not logged in ({exc}). {cls.login_hint()}",
                status_code=exc.status_code,
                provider=cls.__name__,
            )
            if not (reauth or answering):
                # Not sent to the user: lets the engine retry with fresh credentials.
                error.failed_auth = auth  # type: ignore[attr-defined]
            raise error from exc
        if to_cache:
            cls._cache_quietly(auth)

    @classmethod
    def login_hint(cls) -> str:
        """How a user logs in to this provider."""
        return f"Log in with `g4f login {cls.__name__.lower()}` or put cookies in the cookies dir."


def _str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _valid_auth_data(data: Any) -> bool:
    """Whether a cache file's content has the shape of credentials."""
    if not isinstance(data, dict):
        return False
    return (
        _str_map(data.get("cookies", {}))
        and _str_map(data.get("headers", {}))
        and isinstance(data.get("api_key"), (str, type(None)))
    )


def same_credentials(first: AuthResult | None, second: AuthResult | None) -> bool:
    """Whether two credentials carry the same cookies and key (headers may differ)."""
    if first is None or second is None:
        return False
    a, b = first.get_dict(), second.get_dict()
    return (a.get("cookies") or {}, a.get("api_key")) == (b.get("cookies") or {}, b.get("api_key"))
