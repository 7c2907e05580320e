"""Byte blocks of whole CSV rows: what the Dask engine's workers read in parallel."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from vnmisinfo.data.blocks import (
    READ_NOTE,
    csv_blocks,
    parquet_blocks,
    read_csv_block,
    read_parquet_block,
)
from vnmisinfo.data.readers import BadInputError, _ParquetReader

ROWS = [
    ["1", "Tin nóng:\nuống nước chanh\r\ndiệt virus", "3"],
    ["2", 'dòng "trích" một', ""],
    ["3", "", "1,2K"],
    ["4", "a\n\nb", "7"],
    ["5", "Hà Nội, hôm nay", "0"],
    ["6", "cuối", "9"],
    ["7", "x\ny\nz", ""],
]


def _write(path, rows=ROWS, *, bom=False, newline="\n", blank=False) -> str:
    out = io.StringIO()
    import csv

    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(["id", "text", "likes"])
    for i, row in enumerate(rows):
        writer.writerow(row)
        if blank and i % 2:
            out.write(newline)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    return str(path)


def _whole(path: str) -> pd.DataFrame:
    # object columns: Python strings, as the local engine reads cells (a lone surrogate fits)
    return pd.read_csv(path, dtype=object, keep_default_na=False, encoding="utf-8-sig")


@pytest.mark.parametrize("size", [1, 2, 3, 7, 50])
@pytest.mark.parametrize(("bom", "newline", "blank"),
                         [(False, "\n", False), (True, "\r\n", False), (False, "\n", True)])
def test_blocks_read_back_as_the_whole_file(tmp_path, size, bom, newline, blank):
    path = _write(tmp_path / "posts.csv", bom=bom, newline=newline, blank=blank)
    blocks = csv_blocks(path, size)
    assert blocks.header == ["id", "text", "likes"]
    assert blocks.rows == len(ROWS)
    parts = [read_csv_block(path, span, blocks.header) for span in blocks.ranges]
    assert [len(p) for p in parts[:-1]] == [size] * (len(parts) - 1)
    assert 1 <= len(parts[-1]) <= size
    joined = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(joined, _whole(path))
    assert joined["text"].tolist() == [row[1] for row in ROWS]
    ends = [end for _, end in blocks.ranges]
    assert ends[-1] == len(open(path, "rb").read())
    assert [start for start, _ in blocks.ranges[1:]] == ends[:-1]


def test_a_header_alone_gives_one_empty_block(tmp_path):
    path = _write(tmp_path / "empty.csv", rows=[])
    blocks = csv_blocks(path, 10)
    assert blocks.rows == 0 and len(blocks.ranges) == 1
    frame = read_csv_block(path, blocks.ranges[0], blocks.header)
    assert list(frame.columns) == ["id", "text", "likes"] and frame.empty


def test_broken_quoting_names_the_line(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('id,text\n1,ok\n2,"open "quote" here\n', encoding="utf-8")
    with pytest.raises(BadInputError, match=r"line 3: broken CSV quoting"):
        csv_blocks(str(path), 10)


def test_empty_file_and_doubled_names_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(BadInputError, match="is empty: expected a CSV header row"):
        csv_blocks(str(empty), 10)
    doubled = tmp_path / "doubled.csv"
    doubled.write_text("id,text,id\n1,a,2\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"names the columns \['id'\] more than once"):
        csv_blocks(str(doubled), 10)
    with pytest.raises(ValueError, match="rows must be at least 1"):
        csv_blocks(str(doubled), 0)


def test_tab_separated_blocks(tmp_path):
    path = tmp_path / "posts.tsv"
    path.write_text('id\ttext\n1\t"a\tb\nc"\n2\td\n', encoding="utf-8")
    blocks = csv_blocks(str(path), 1, delimiter="\t")
    texts = [read_csv_block(str(path), s, blocks.header, "\t")["text"][0] for s in blocks.ranges]
    assert texts == ["a\tb\nc", "d"]


@pytest.mark.parametrize(("row", "found"), [('4,"d",1,extra', 4), ("4,d", 2)])
def test_a_row_of_the_wrong_width_names_its_first_line(tmp_path, row, found):
    path = tmp_path / "posts.csv"
    path.write_text(f'id,text,likes\n1,"a\nb\nc",3\n\n{row}\n5,e,6\n', encoding="utf-8")
    with pytest.raises(BadInputError, match=rf"line 6: expected 3 fields, found {found}; fix "
                       r"the file, or score it without --engine dask and with --skip-bad-lines"):
        csv_blocks(str(path), 10)


@pytest.mark.parametrize(("group_rows", "size"), [(None, 3), (4, 3), (4, 10), (1, 2)])
def test_parquet_blocks_read_back_as_the_whole_file(tmp_path, group_rows, size):
    pytest.importorskip("pyarrow.parquet")
    path = str(tmp_path / "posts.parquet")
    whole = pd.DataFrame({"id": [str(i) for i in range(11)],
                          "text": [f"bài {i}" for i in range(11)],
                          "likes": pd.array(range(11), dtype="Int64")})
    whole.to_parquet(path, index=False, row_group_size=group_rows)
    blocks = parquet_blocks(path, size)
    assert all(0 < hi - lo <= size for _, lo, hi in blocks)
    parts = [read_parquet_block(path, b, ["id", "text", "likes"]) for b in blocks]
    whole = pd.concat(parts, ignore_index=True)
    assert whole.to_dict("records") == pd.read_parquet(path).astype(object).to_dict("records")
    text = read_parquet_block(path, blocks[-1], ["text"])
    assert list(text.columns) == ["text"] and text.index[0] == 0


def test_parquet_blocks_keep_the_cells_as_the_local_engine_reads_them(tmp_path):
    """Integers with nulls stay exact integers (not floats), a null bool stays None."""
    pa = pytest.importorskip("pyarrow")
    path = str(tmp_path / "posts.parquet")
    table = pa.table({"text": ["a", "b", "c"],
                      "user_id": pa.array([None, 2**53 + 1, 2**62 + 1], pa.int64()),
                      "big": pa.array([2**64 - 1, None, 3], pa.uint64()),
                      "flag": pa.array([True, None, False])})
    pa.parquet.write_table(table, path, row_group_size=2)
    reader = _ParquetReader(path, batch_size=100)  # the local engine's reader
    rows = [row for row, _ in reader]
    reader.close()
    blocks = parquet_blocks(path, 2)
    parts = [read_parquet_block(path, b, table.column_names) for b in blocks]
    assert pd.concat(parts, ignore_index=True).to_dict("records") == rows
    assert rows[1]["user_id"] == 9007199254740993 and rows[0]["big"] == 2**64 - 1


def test_a_parquet_file_without_rows_gives_one_empty_block(tmp_path):
    pytest.importorskip("pyarrow.parquet")
    path = str(tmp_path / "empty.parquet")
    pd.DataFrame({"text": pd.Series([], dtype=str)}).to_parquet(path, index=False)
    blocks = parquet_blocks(path, 5)
    assert len(blocks) == 1
    frame = read_parquet_block(path, blocks[0], ["text"])
    assert list(frame.columns) == ["text"] and frame.empty
    with pytest.raises(ValueError, match="rows must be at least 1"):
        parquet_blocks(path, 0)


def test_a_block_notes_the_rows_whose_bytes_are_not_utf8(tmp_path):
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"id,text\n1,ch\xff\xfea\n2,mua\n")
    blocks = csv_blocks(str(path), 10)
    frame = read_csv_block(str(path), blocks.ranges[0], blocks.header, notes=True)
    assert frame["text"].tolist() == ["ch\ufffda", "mua"]  # a run of bad bytes: one U+FFFD
    assert frame[READ_NOTE].tolist() == ["invalid UTF-8 replaced", None]
    assert READ_NOTE not in read_csv_block(str(path), blocks.ranges[0], blocks.header)


def test_a_parquet_block_notes_a_time_past_year_9999(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "far.parquet"
    when = pa.array([1_700_000_000, 1_700_000_000_000_000], pa.timestamp("s"))
    pq.write_table(pa.table({"text": ["a", "b"], "created": when}), path)
    frame = read_parquet_block(str(path), (0, 0, 2), ["text", "created"], notes=True)
    assert list(frame.columns) == ["text", "created", READ_NOTE]
    assert frame[READ_NOTE].tolist() == [None, "created outside years 1-9999"]
