"""Single-flight: concurrent identical requests share one upstream call.

The first caller for a key leads; the others wait for its answer (or its error). If the leader
gives up without an answer (cancelled, stream abandoned), the waiters run on their own.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from llmrouter._timeouts import within
from llmrouter.types import Answer

__all__ = ["Flight", "SingleFlight"]


class _Abandoned(Exception):
    """The leader ended without an answer or an error to share."""


@dataclass
class Flight:
    key: str
    future: asyncio.Future[Answer]
    leader: bool


class SingleFlight:
    def __init__(self) -> None:
        self._flights: dict[str, asyncio.Future[Answer]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def join(self, key: str) -> Flight:
        """Lead a new flight for `key`, or follow the one in the air."""
        future = self._flights.get(key)
        if future is not None:
            return Flight(key, future, leader=False)
        future = asyncio.get_running_loop().create_future()
        # Nobody may be waiting: mark an error as seen so asyncio does not log it.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._flights[key] = future
        return Flight(key, future, leader=True)

    def land(self, flight: Flight, answer: Answer) -> None:
        self._finish(flight)
        if not flight.future.done():
            flight.future.set_result(answer)

    def crash(self, flight: Flight, error: BaseException | None) -> None:
        """The leader failed with `error` (shared with followers) or gave up (`None`)."""
        self._finish(flight)
        if flight.future.done():
            return
        if error is None or isinstance(error, asyncio.CancelledError):
            flight.future.set_exception(_Abandoned())
        else:
            flight.future.set_exception(error)

    def _finish(self, flight: Flight) -> None:
        if self._flights.get(flight.key) is flight.future:
            del self._flights[flight.key]

    @staticmethod
    async def wait(flight: Flight, timeout_s: float) -> Answer | None:
        """The leader's answer; None when it gave up (then run the request yourself).

        Waits at most `timeout_s` (the follower's own deadline): `asyncio.TimeoutError` then.
        The leader's error is raised as it is."""
        try:
            return await within(asyncio.shield(flight.future), max(timeout_s, 0.0))
        except _Abandoned:
            return None
