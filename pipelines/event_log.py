"""Dagster's SQLite event log, writing a batch of events through one connection per database.

Before a run's first step, Dagster records what the run plans to do: one event per asset and per
asset check, 314 for the warehouse build (every dbt test is a check). It hands them to the
storage as one batch when DAGSTER_EVENT_BATCH_SIZE is set (pipelines/cli.py sets it), but
Dagster's SQLite storage writes a batch one event at a time, each through a new engine and
connection to the run's database and again to the index database: 3.4 s at city scale before
dbt starts, 0.5 s with this class (docs/benchmarks.md). Here a batch shares one connection and
transaction per database; single events are written as Dagster writes them, so the webserver
still sees each one as it lands.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection

BATCH_SIZE_VARIABLE = "DAGSTER_EVENT_BATCH_SIZE"
BATCH_SIZE = "1000"  # the largest batch written in one transaction; the whole pipeline plans ~345 events


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._batch = threading.local()  # before the parent's, which connects to the index
        super().__init__(base_dir, inst_data)
        # The batch holds the lock while it opens a second database: the same thread takes it again.
        self._db_lock = threading.RLock()

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> BatchingSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)  # the parent's builds the parent class

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        # All or nothing: on an error both transactions roll back and Dagster stores the events one by one.
        with ExitStack() as self._batch.stack:
            self._batch.connections = {}
            try:
                for event in events:
                    self.store_event(event)
            finally:
                self._batch.connections = None

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        connections = getattr(self._batch, "connections", None)
        if connections is None:
            with super()._connect(shard) as conn:
                yield conn
        else:
            if shard not in connections:
                connections[shard] = self._batch.stack.enter_context(super()._connect(shard))
            yield connections[shard]
