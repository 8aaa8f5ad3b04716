"""The Redis backend of the run-time store: state shared by every worker and instance.

:class:`SharedStore` keeps this process's :class:`~g4f.state.MemoryStore` and, for the
key namespaces that must be shared (:data:`SHARED_PREFIXES`), Redis (``redis.asyncio``,
imported only when a store is built). The rules:

- The ``a*`` coroutines are the shared forms: on a shared key they run one Redis
  command (or one pipeline / script) on the loop that connected, and mirror the result
  locally. Atomic counters are ``INCRBY``; compare-and-set is a server-side script.
- The sync forms never wait on the network: they read and write the local mirror, and
  a write to a shared key is also sent to Redis in the background. Code on an async
  path that needs the shared value uses the ``a*`` forms.
- Redis unreachable (at start or later): every operation falls back to the local
  state at once, a loud warning is logged once, :meth:`health` says ``degraded`` /
  ``memory``, and a background task reconnects with capped exponential backoff; from
  the first successful ``PING`` the state is shared again (what was written locally
  meanwhile stays local).
- Values are JSON (tuples come back as lists); every key gets the ``g4f:`` namespace.

Other namespaces (metadata look-ups holding parsed objects, AnyProvider's map) stay in
process: they are cheap to rebuild and not all JSON.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

from ._secrets import add_secret
from .debug import logger
from .state import MemoryStore, Store

__all__ = ["SharedStore", "SHARED_PREFIXES", "redis_display"]

#: Key namespaces that live in Redis (see :mod:`g4f.state`).
SHARED_PREFIXES = ("cooldown:", "models:", "media-task:", "keys:", "usage:", "resp:", "hc:")
#: Shared namespaces not mirrored in memory while Redis is up (large, read rarely).
UNMIRRORED = ("resp:",)
#: Small namespaces read by sync code (model lookups): copied from Redis periodically.
PULLED = ("models:", "media-task:")
#: Reconnect backoff: first wait and cap (seconds).
RECONNECT_FIRST = 0.2
RECONNECT_CAP = 5.0

# KEYS[1]; ARGV: expected JSON ("" = absent), new JSON, ttl in ms (0 = none).
_CAS = """
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  if tonumber(ARGV[3]) > 0 then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  else
    redis.call('SET', KEYS[1], ARGV[2])
  end
  return 1
end
return 0
"""


# GCRA on the server's clock. KEYS[1]; ARGV: interval, period (seconds). Returns the
# wait in microseconds as a string (0: admitted).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval, period = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new = tat + interval
if new - now > period + 0.000001 then
  return tostring(math.floor((new - period - now) * 1000000))
end
redis.call('SET', KEYS[1], string.format('%.6f', new), 'PX', math.floor((period + 1) * 1000))
return '0'
"""


def _encode(value: Any) -> str:
    # Canonical text: compare-and-set compares encodings.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _decode(raw: Any) -> Any:
    if raw is None:
        return None
    return json.loads(raw)


def _ms(ttl: float | None) -> int:
    return 0 if ttl is None else max(1, int(ttl * 1000))


def redis_display(url: str) -> str:
    """``redis://host:port/db`` without credentials, for logs and errors."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path or ''}"


class SharedStore(Store):
    """Redis for the shared namespaces, this process's memory for the rest and as fallback."""

    def __init__(
        self,
        url: str,
        *,
        namespace: str = "g4f:",
        timeout: float = 0.5,
        prefixes: tuple[str, ...] = SHARED_PREFIXES,
        pull_every: float = 10.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            from .errors import InvalidRequestError

            raise InvalidRequestError(
                f"invalid Redis URL {redis_display(url)!r}: use redis://, rediss:// or unix://"
            )
        if parts.password:
            add_secret(parts.password)
        try:
            import redis.asyncio  # noqa: F401 - only checked here, used in connect()
        except ImportError:
            from .errors import MissingRequirementsError

            raise MissingRequirementsError(
                "shared state needs the Redis client: pip install 'g4f[redis]'"
            ) from None
        self.url = url
        self.display = redis_display(url)
        self.namespace = namespace
        self.timeout = timeout
        self.prefixes = prefixes
        self.local = MemoryStore()
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._up = False
        self._reconnect: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()
        self._cas: Any = None
        self._take: Any = None
        self.pull_every = pull_every
        self._puller: asyncio.Task[None] | None = None

    # --- connection -----------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._up

    @property
    def shared(self) -> bool:  # type: ignore[override]
        return self._up

    async def connect(self) -> bool:
        """Open the client on the running loop and ``PING``; on failure warn and keep trying."""
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self._loop = asyncio.get_running_loop()
        # No client-side retries: a failed command falls back to local state at once and
        # the reconnect task (with its own backoff) decides when Redis is back.
        self._client = aioredis.Redis.from_url(
            self.url,
            socket_timeout=self.timeout,
            socket_connect_timeout=self.timeout,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )
        self._cas = self._client.register_script(_CAS)
        self._take = self._client.register_script(_TAKE)
        try:
            await self._client.ping()
        except Exception as exc:  # noqa: BLE001 - any failure means: not shared for now
            self._lost(exc, starting=True)
            return False
        self._up = True
        logger.info("g4f state: shared through Redis at %s", self.display)
        self._puller = self._loop.create_task(self._pull_loop())
        return True

    async def close(self) -> None:
        """Stop reconnecting, flush pending writes, close the client."""
        for task in (self._reconnect, self._puller):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._reconnect = self._puller = None
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._up = False

    def _lost(self, exc: BaseException, starting: bool = False) -> None:
        was_up, self._up = self._up, False
        if was_up or starting:
            logger.warning(
                "g4f state: Redis at %s is unreachable (%s); serving on this process's "
                "local state (cooldowns, limits and stored responses are NOT shared) "
                "until it is back",
                self.display,
                type(exc).__name__,
            )
        if self._reconnect is None or self._reconnect.done():
            self._reconnect = asyncio.get_running_loop().create_task(self._reconnect_loop())

    async def _reconnect_loop(self) -> None:
        wait = RECONNECT_FIRST
        while not self._up:
            await asyncio.sleep(wait)
            try:
                await self._client.ping()
            except Exception:  # noqa: BLE001 - still down
                wait = min(RECONNECT_CAP, wait * 2)
                continue
            self._up = True
            logger.warning("g4f state: Redis at %s is back; state is shared again", self.display)
            if self._puller is None:
                self._puller = asyncio.get_running_loop().create_task(self._pull_loop())

    async def pull(self) -> None:
        """Copy the :data:`PULLED` namespaces from Redis into this process (what other
        workers discovered becomes visible to sync readers such as ``get_models``)."""
        names: list[Any] = []
        for prefix in PULLED:
            names += [n async for n in self._client.scan_iter(match=self._k(prefix) + "*")]
        if not names:
            return
        async with self._client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.get(name)
                pipe.pttl(name)
            found = await pipe.execute()
        skip = len(self.namespace)
        for i, name in enumerate(names):
            key = (name.decode() if isinstance(name, bytes) else name)[skip:]
            self._mirror(key, _decode(found[2 * i]), found[2 * i + 1])

    async def _pull_loop(self) -> None:
        while True:
            if self._up:
                await self._call(lambda: None, self.pull)
            await asyncio.sleep(self.pull_every)

    def health(self) -> dict[str, str]:
        if self._up:
            return {"status": "ok", "store": "redis"}
        return {"status": "degraded", "store": "memory"}

    # --- routing --------------------------------------------------------------------

    def _shared(self, key: str) -> bool:
        return key.startswith(self.prefixes)

    def _remote(self, key: str) -> bool:
        """Whether ``key`` goes to Redis now (shared, connected, on the connected loop)."""
        if not (self._up and self._shared(key)):
            return False
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    async def _call(self, fallback: Any, op: Any) -> Any:
        try:
            return await op()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - Redis errors degrade to local state
            self._lost(exc)
            return fallback()

    def _background(self, key: str, op: Any) -> None:
        """Send a sync write to Redis without waiting (failures degrade)."""
        if not self._remote(key):
            return

        async def run() -> None:
            await self._call(lambda: None, op)

        task = asyncio.get_running_loop().create_task(run())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _k(self, key: str) -> str:
        return self.namespace + key

    # --- sync forms: local, writes mirrored in the background -----------------------

    def get(self, key: str) -> Any | None:
        return self.local.get(key)

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        self.local.set(key, value, ttl)
        self._background(key, lambda: self._set(key, value, ttl))

    def delete(self, key: str) -> None:
        self.local.delete(key)
        self._background(key, lambda: self._client.delete(self._k(key)))

    def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        value = self.local.incr(key, amount, ttl)
        self._background(key, lambda: self._incr(key, amount, ttl))
        return value

    def compare_and_set(
        self, key: str, expected: Any | None, value: Any, ttl: float | None = None
    ) -> bool:
        # Only the async form is atomic across processes; this one is local.
        return self.local.compare_and_set(key, expected, value, ttl)

    def clear(self, prefix: str = "") -> None:
        self.local.clear(prefix)
        self._background(prefix or self.prefixes[0], lambda: self._clear(prefix))

    # --- async forms: Redis for shared keys -----------------------------------------

    async def _set(self, key: str, value: Any, ttl: float | None) -> None:
        ms = _ms(ttl)
        await self._client.set(self._k(key), _encode(value), px=ms or None)

    async def _incr(self, key: str, amount: int, ttl: float | None) -> int:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incrby(self._k(key), amount)
            if ttl is not None:
                pipe.pexpire(self._k(key), _ms(ttl), nx=True)
            result = await pipe.execute()
        return int(result[0])

    async def _clear(self, prefix: str) -> None:
        for item in [prefix] if prefix else list(self.prefixes):
            batch: list[Any] = []
            async for name in self._client.scan_iter(match=self._k(item) + "*", count=500):
                batch.append(name)
                if len(batch) >= 500:
                    await self._client.delete(*batch)
                    batch.clear()
            if batch:
                await self._client.delete(*batch)

    async def aget(self, key: str) -> Any | None:
        if not self._remote(key):
            return self.local.get(key)

        async def op() -> Any:
            async with self._client.pipeline(transaction=False) as pipe:
                pipe.get(self._k(key))
                pipe.pttl(self._k(key))
                raw, pttl = await pipe.execute()
            value = _decode(raw)
            self._mirror(key, value, pttl)
            return value

        return await self._call(lambda: self.local.get(key), op)

    def _mirror(self, key: str, value: Any, pttl: int) -> None:
        if key.startswith(UNMIRRORED):
            return
        if value is None:
            self.local.delete(key)
        else:
            self.local.set(key, value, pttl / 1000 if pttl and pttl > 0 else None)

    async def aget_many(self, keys: list[str]) -> list[Any | None]:
        remote = [k for k in keys if self._remote(k)]
        if not remote:
            return [self.local.get(k) for k in keys]

        async def op() -> list[Any | None]:
            raws = await self._client.mget([self._k(k) for k in remote])
            found = dict(zip(remote, (_decode(r) for r in raws), strict=True))
            return [found[k] if k in found else self.local.get(k) for k in keys]

        return await self._call(lambda: [self.local.get(k) for k in keys], op)

    async def aset(self, key: str, value: Any, ttl: float | None = None) -> None:
        if not self._remote(key):
            self.local.set(key, value, ttl)
            return
        if not key.startswith(UNMIRRORED):
            self.local.set(key, value, ttl)
        await self._call(
            lambda: self.local.set(key, value, ttl), lambda: self._set(key, value, ttl)
        )

    async def adelete(self, key: str) -> None:
        self.local.delete(key)
        if self._remote(key):
            await self._call(lambda: None, lambda: self._client.delete(self._k(key)))

    async def aincr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        if not self._remote(key):
            return self.local.incr(key, amount, ttl)
        return int(
            await self._call(
                lambda: self.local.incr(key, amount, ttl), lambda: self._incr(key, amount, ttl)
            )
        )

    async def acompare_and_set(
        self, key: str, expected: Any | None, value: Any, ttl: float | None = None
    ) -> bool:
        if not self._remote(key):
            return self.local.compare_and_set(key, expected, value, ttl)

        async def op() -> bool:
            old = "" if expected is None else _encode(expected)
            done = await self._cas(keys=[self._k(key)], args=[old, _encode(value), _ms(ttl)])
            if done:
                self.local.set(key, value, ttl)
            return bool(done)

        return bool(
            await self._call(lambda: self.local.compare_and_set(key, expected, value, ttl), op)
        )

    def take(self, key: str, interval: float, period: float) -> float:
        return self.local.take(key, interval, period)

    async def atake(self, key: str, interval: float, period: float) -> float:
        if not self._remote(key):
            return self.local.take(key, interval, period)

        async def op() -> float:
            wait = await self._take(keys=[self._k(key)], args=[interval, period])
            return int(wait) / 1_000_000

        return float(await self._call(lambda: self.local.take(key, interval, period), op))

    async def aclear(self, prefix: str = "") -> None:
        self.local.clear(prefix)
        if self._up and (not prefix or self._shared(prefix)):
            await self._call(lambda: None, lambda: self._clear(prefix))

    def __repr__(self) -> str:
        state = "up" if self._up else "down"
        return f"<SharedStore {self.display} {state}>"
