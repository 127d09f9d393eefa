"""The Redis cache, made to outlive Redis.

Comity's cache holds nothing that is not also somewhere else: rate-limit counters, the
forum's one-time submission tokens, the unread badge count, the association switcher.
So when Redis cannot be reached the site carries on: `ResilientRedisCache` answers from a
small memory of this process instead (`config.cache` keeps one per Redis location, shared by
the process's threads) until Redis answers again.

Why a memory and not just "misses, writes skipped": several callers need `add` to mean
something. The forum claims a submission token with `cache.add` (a skipped write would
refuse every post as "already being sent"), allauth takes a lock with `cache.add` before it
counts sign-in attempts (a skipped write would refuse every sign-in after spinning a
second), and django-ratelimit counts with `add` and `incr`. In process memory those keep
working, and the limits still bite, per process rather than site-wide, for the length of
the outage. Values kept there live at most FALLBACK_MAX_SECONDS, so a value another process
changed is not shown for long.

Only redis' ConnectionError and TimeoutError count as "Redis is down" (but not a wrong
password, which is a ConnectionError too and must stay loud). After one, Redis is left
alone for RETRY_SECONDS (a dead or unreachable server then costs nothing per request, not a
connect timeout each time); the next call after that tries it again. Every key written or
deleted meanwhile is remembered, and deleted from Redis when it is back: its Redis copy may
be stale (a badge count forgotten during the outage, say), and deleting a cache entry is
always safe.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import AuthenticationError, AuthorizationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0  # how long Redis is left alone after it failed
WARNING_SECONDS = 60.0  # at most one "Redis is down" warning per process this often
FALLBACK_MAX_SECONDS = 60  # the longest a value lives in the process's memory
FALLBACK_MAX_ENTRIES = 10_000
STALE_KEYS_LIMIT = 10_000  # keys remembered for deleting from Redis once it is back


class _Outage:
    """Whether one Redis location is taken to be down, for every thread of this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.warned_at = float("-inf")
        self.stale_keys: set[str] = set()
        self.stale_keys_overflowed = False

    def skipping(self) -> bool:
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, location: str, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            if self.down_since is None:
                self.down_since = now
            self.retry_at = now + RETRY_SECONDS
            warn = now - self.warned_at >= WARNING_SECONDS
            if warn:
                self.warned_at = now
        if warn:
            logger.warning("cache: Redis at %s unreachable (%s); using this process's memory until it is back",
                           location, error)

    def remember(self, keys) -> None:
        with self.lock:
            room = STALE_KEYS_LIMIT - len(self.stale_keys)
            keys = list(keys)
            if len(keys) > room:
                self.stale_keys_overflowed = True
                keys = keys[:max(room, 0)]
            self.stale_keys.update(keys)

    def recovered(self) -> tuple[float, set[str], bool] | None:
        """Mark the location up; returns (seconds down, stale keys, overflowed) to the one
        caller that saw it come back, None to the others."""
        with self.lock:
            if self.down_since is None:
                return None
            seconds = time.monotonic() - self.down_since
            keys, overflowed = self.stale_keys, self.stale_keys_overflowed
            self.down_since, self.stale_keys, self.stale_keys_overflowed = None, set(), False
            return seconds, keys, overflowed


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_of(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


def _short(timeout):
    """A timeout for the process's memory: never longer than FALLBACK_MAX_SECONDS."""
    if timeout is DEFAULT_TIMEOUT:
        return timeout  # the fallback's own default is already short
    return FALLBACK_MAX_SECONDS if timeout is None else min(timeout, FALLBACK_MAX_SECONDS)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache that falls back to process memory while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outage_of(self._location)
        default = FALLBACK_MAX_SECONDS if self.default_timeout is None else min(self.default_timeout,
                                                                                 FALLBACK_MAX_SECONDS)
        # LocMemCache keeps its entries per name, so every thread's instance shares them.
        self._fallback = LocMemCache(f"redis-fallback:{self._location}", {
            "TIMEOUT": default, "KEY_PREFIX": self.key_prefix, "VERSION": self.version,
            "KEY_FUNCTION": self.key_func, "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
        })

    def _run(self, operation, fallback, keys=(), version=None):
        """Run `operation` on Redis, or `fallback` on the process's memory when Redis is
        down. `keys` are those the call writes, remembered while Redis is down."""
        if not self._outage.skipping():
            try:
                result = operation()
            except (AuthenticationError, AuthorizationError):
                raise  # a configuration mistake, not an outage
            except (RedisConnectionError, RedisTimeoutError) as error:
                self._outage.failed(self._location, error)
            else:
                if self._outage.down_since is not None:
                    self._back()
                return result
        if keys:
            self._outage.remember(self.make_key(key, version=version) for key in keys)
        return fallback()

    def _back(self) -> None:
        came_back = self._outage.recovered()
        if came_back is None:
            return
        seconds, stale_keys, overflowed = came_back
        logger.warning("cache: Redis at %s reachable again after %.0f s", self._location, seconds)
        self._fallback.clear()
        try:
            if stale_keys:
                self._cache.delete_many(list(stale_keys))
        except (RedisConnectionError, RedisTimeoutError) as error:
            self._outage.failed(self._location, error)
            self._outage.remember(stale_keys)
            return
        if overflowed:
            logger.warning("cache: over %d keys changed while Redis was down; some older values may be served "
                           "until they expire", STALE_KEYS_LIMIT)

    def ping(self) -> None:
        """Reach Redis itself, never the fallback (for /healthz: the site carries on while
        Redis is down, but the health check must say so)."""
        self._cache.get_client(write=True).ping()

    # --- the cache API ---------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
                         lambda: self._fallback.add(key, value, _short(timeout), version), [key], version)

    def get(self, key, default=None, version=None):
        return self._run(lambda: super(ResilientRedisCache, self).get(key, default, version),
                         lambda: self._fallback.get(key, default, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
                         lambda: self._fallback.set(key, value, _short(timeout), version), [key], version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
                         lambda: self._fallback.touch(key, _short(timeout), version))

    def delete(self, key, version=None):
        return self._run(lambda: super(ResilientRedisCache, self).delete(key, version),
                         lambda: self._fallback.delete(key, version), [key], version)

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._run(lambda: super(ResilientRedisCache, self).get_many(keys, version),
                         lambda: self._fallback.get_many(keys, version))

    def has_key(self, key, version=None):
        return self._run(lambda: super(ResilientRedisCache, self).has_key(key, version),
                         lambda: self._fallback.has_key(key, version))

    def incr(self, key, delta=1, version=None):
        # A key missing from the memory raises ValueError, as Django's contract says.
        return self._run(lambda: super(ResilientRedisCache, self).incr(key, delta, version),
                         lambda: self._fallback.incr(key, delta, version), [key], version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
                         lambda: self._fallback.set_many(data, _short(timeout), version), list(data), version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._run(lambda: super(ResilientRedisCache, self).delete_many(keys, version),
                         lambda: self._fallback.delete_many(keys, version), keys, version)

    def clear(self):
        # Redis cannot be cleared while it is down; its entries expire on their own.
        return self._run(lambda: super(ResilientRedisCache, self).clear(), self._fallback.clear)
