"""Ground-truth output: append-only parquet tables under out_dir/truth/ (see README.md for the layout)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

TABLE_CHUNK = 1 << 20  # rows of a world table written at a time (parquet's default row group)
ROW_SCHEMA = pa.schema([
    ("file", pa.string()), ("row", pa.int64()), ("kind", pa.string()), ("estate_code", pa.string()),
    ("dwelling_id", pa.int64()), ("person_id", pa.int64()), ("record_key", pa.string()),
    ("mess", pa.string()), ("outcome", pa.string()), ("superseded", pa.bool_()),
])
MESS_SCHEMA = pa.schema([
    ("file", pa.string()), ("row", pa.int64()), ("kind", pa.string()), ("column", pa.string()),
    ("item", pa.int64()), ("code", pa.string()), ("outcome", pa.string()), ("clean", pa.string()),
    ("written", pa.string()),
])


class TruthSink:
    """Streams the per-row truth of every file into truth/rows.parquet and truth/mess.parquet."""

    def __init__(self, truth_dir: Path):
        self.dir = truth_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.rows = pq.ParquetWriter(self.dir / "rows.parquet", ROW_SCHEMA)
        self.mess = pq.ParquetWriter(self.dir / "mess.parquet", MESS_SCHEMA)
        self.files: list[dict] = []

    def add_rows(self, rows: pa.Table, mess: pd.DataFrame) -> None:
        """The truth of some rows of a file (a file is added a chunk at a time)."""
        if len(rows):
            self.rows.write_table(rows.select(ROW_SCHEMA.names).cast(ROW_SCHEMA))
        if len(mess):
            self.mess.write_table(pa.Table.from_pandas(mess[MESS_SCHEMA.names], schema=MESS_SCHEMA, preserve_index=False))

    def add_file(self, file_record: dict) -> None:
        self.files.append(file_record)

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        with self.table(name) as table:
            for start in range(0, max(len(frame), 1), TABLE_CHUNK):
                table.write(frame.iloc[start:start + TABLE_CHUNK])

    @contextmanager
    def table(self, name: str) -> Iterator["TableWriter"]:
        """A world or indicator table written a chunk of rows at a time."""
        path = self.dir / f"{name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = TableWriter(path)
        try:
            yield writer
        finally:
            writer.close()

    def close(self) -> None:
        self.rows.close()
        self.mess.close()
        files = pd.DataFrame(self.files).sort_values("file", kind="stable")
        files.to_csv(self.dir / "files.csv", index=False)


class TableWriter:
    """Appends DataFrame chunks to one parquet file, as `DataFrame.to_parquet(index=False)` writes them."""

    def __init__(self, path: Path):
        self.path = path
        self.writer: pq.ParquetWriter | None = None

    def write(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
