"""Ground-truth output: append-only parquet tables under out_dir/truth/ (see README.md for the layout)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

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

    def add(self, file_record: dict, rows: pa.Table | pd.DataFrame, mess: pd.DataFrame) -> None:
        self.files.append(file_record)
        if len(rows):
            if isinstance(rows, pd.DataFrame):
                rows = pa.Table.from_pandas(rows[ROW_SCHEMA.names], schema=ROW_SCHEMA, preserve_index=False)
            self.rows.write_table(rows.select(ROW_SCHEMA.names).cast(ROW_SCHEMA))
        if len(mess):
            self.mess.write_table(pa.Table.from_pandas(mess[MESS_SCHEMA.names], schema=MESS_SCHEMA, preserve_index=False))

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        path = self.dir / f"{name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, index=False)

    def close(self) -> None:
        self.rows.close()
        self.mess.close()
        files = pd.DataFrame(self.files).sort_values("file", kind="stable")
        files.to_csv(self.dir / "files.csv", index=False)
