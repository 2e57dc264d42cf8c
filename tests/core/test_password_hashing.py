"""Argon2 runs at most `HASHING_AT_ONCE` hashes at a time, the rest queue (a crowd's
registrations must not starve every other thread of the CPU)."""

from __future__ import annotations

import threading

import pytest

from services.core.accounts import security


class _HeldHasher:
    """A stand-in for argon2 whose every call waits until the test lets it finish."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inside = 0
        self.most = 0
        self.done = 0
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def _work(self) -> None:
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        self.entered.release()
        self.release.wait()
        with self.lock:
            self.inside -= 1
            self.done += 1

    def hash(self, password: str) -> str:
        self._work()
        return "held$" + password

    def verify(self, password: str, password_hash: str) -> bool:
        self._work()
        return password_hash == "held$" + password


def test_hashes_and_checks_queue_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = _HeldHasher()
    monkeypatch.setattr(security, "_hasher", hasher)
    calls = [lambda: security.hash_password("pw")] * (2 * security.HASHING_AT_ONCE + 2)
    calls += [lambda: security.verify_password("pw", "held$pw")] * 2
    calls += [lambda: security.verify_password("pw", None)] * 2  # an unknown email
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    for _ in range(security.HASHING_AT_ONCE):
        assert hasher.entered.acquire(timeout=30)  # a hang guard, not a time measured
    hasher.release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert hasher.done == len(calls)
    assert hasher.most == security.HASHING_AT_ONCE


def test_the_limit_leaves_room_on_every_machine() -> None:
    assert security.HASHING_AT_ONCE >= 1
