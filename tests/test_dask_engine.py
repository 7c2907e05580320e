"""`vnmisinfo score --engine dask`: the local engine's rows, on a dask.distributed cluster."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from vnmisinfo.batch.dask_files import score_dask_files  # noqa: E402
from vnmisinfo.batch.run import score_file  # noqa: E402
from vnmisinfo.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, tiny_corpus) -> str:
    from vnmisinfo.model.detector import Detector
    from vnmisinfo.triage import Triage, save_model

    texts, y = tiny_corpus
    path = tmp_path_factory.mktemp("model") / "tiny.skops"
    save_model(Triage(Detector(channels=("syllables",), min_df=1, cv=2).fit(texts, y)), path)
    return str(path)


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, set up as docs/batch.md says."""
    from vnmisinfo.batch.dask_files import _worker_environ

    with _worker_environ(), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=":0") as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def posts_csv(tmp_path_factory, tiny_corpus) -> Path:
    """Posts with an own ``score`` column, an empty text and a line break inside a quote."""
    texts, _ = tiny_corpus
    rows = [{"id": f"p{i}", "post_message": t, "score": str(i % 7), "num_like_post": str(3 * i)}
            for i, t in enumerate(texts + texts[::-1])]
    rows += [{"id": "empty", "post_message": "", "score": "", "num_like_post": ""},
             {"id": "lines", "post_message": "Tin nóng:\nuống nước chanh diệt virus corona",
              "score": "1", "num_like_post": "0"}]
    path = tmp_path_factory.mktemp("in") / "posts.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def local_csv(tmp_path_factory, posts_csv, model_file) -> Path:
    out = tmp_path_factory.mktemp("local") / "scored.csv"
    score_file(str(posts_csv), str(out), model=model_file, workers=1)
    return out


def _parts(folder: Path, ext: str) -> list[Path]:
    parts = sorted(folder.glob(f"part-*.{ext}"))
    assert parts, f"no part files in {folder}"
    return parts


def _csv_text(parts: list[Path]) -> str:
    """Part files joined into one CSV text, with the header once."""
    texts = [p.read_text(encoding="utf-8") for p in parts]
    return texts[0] + "".join(t.split("\n", 1)[1] for t in texts[1:])


def test_csv_parts_equal_the_local_engine_row_for_row(cluster, posts_csv, local_csv,
                                                      model_file, tmp_path):
    out = tmp_path / "scored"
    summary = score_dask_files(str(posts_csv), str(out), model=model_file, scheduler=cluster,
                               partition_rows=8)
    parts = _parts(out, "csv")
    assert len(parts) == 7  # 50 rows, 8 a partition, a quoted line break among them
    assert _csv_text(parts) == local_csv.read_text(encoding="utf-8")
    frame = pd.read_csv(local_csv, dtype=str, keep_default_na=False)
    assert summary.rows == len(frame) == 50
    assert summary.not_scored == 1
    assert summary.tiers["high"] == (frame["vnm_tier"] == "high").sum()
    assert not (tmp_path / "scored.partial").exists()


def test_single_csv_file_is_the_local_output(cluster, posts_csv, local_csv, model_file,
                                             tmp_path):
    out = tmp_path / "scored.csv"
    score_dask_files(str(posts_csv), str(out), model=model_file, scheduler=cluster,
                     partition_rows=5, single_file=True)
    assert out.read_bytes() == local_csv.read_bytes()


def test_tsv_output_is_tab_separated_as_the_local_engine(cluster, posts_csv, model_file,
                                                         tmp_path):
    local = tmp_path / "local.tsv"
    score_file(str(posts_csv), str(local), model=model_file, workers=1)
    single, folder = tmp_path / "scored.tsv", tmp_path / "parts.tsv"
    score_dask_files(str(posts_csv), str(single), model=model_file, scheduler=cluster,
                     partition_rows=5, single_file=True)
    score_dask_files(str(posts_csv), str(folder), model=model_file, scheduler=cluster,
                     partition_rows=20)
    assert local.read_text(encoding="utf-8").split("\n", 1)[0].split("\t")[:2] == [
        "id", "post_message"]
    assert single.read_bytes() == local.read_bytes()
    assert _csv_text(_parts(folder, "tsv")) == local.read_text(encoding="utf-8")


@pytest.mark.parametrize(("group_rows", "parts"), [(None, 5), (7, 8)])
def test_parquet_in_parquet_out_equals_the_local_engine(cluster, posts_csv, model_file,
                                                        tmp_path, group_rows, parts):
    """One row group cut into slices of 10 rows, or groups of 7 rows read one by one."""
    pq = pytest.importorskip("pyarrow.parquet")
    source = tmp_path / "posts.parquet"
    frame = pd.read_csv(posts_csv, dtype=str, keep_default_na=False)
    frame.assign(num_like_post=pd.to_numeric(frame["num_like_post"]).astype("Int64")
                 ).to_parquet(source, index=False, row_group_size=group_rows)
    local = tmp_path / "local.parquet"
    score_file(str(source), str(local), model=model_file, workers=1)
    out = tmp_path / "scored"
    score_dask_files(str(source), str(out), model=model_file, scheduler=cluster,
                     partition_rows=10)
    files = _parts(out, "parquet")
    assert len(files) == parts
    expected = pq.read_table(local)
    got = [pq.read_table(p) for p in files]
    assert all(t.schema.equals(expected.schema) for t in got)
    pd.testing.assert_frame_equal(pd.concat([t.to_pandas() for t in got], ignore_index=True),
                                  expected.to_pandas())


def test_parquet_cells_of_every_type_come_out_as_the_local_engine_writes_them(
        cluster, model_file, tmp_path):
    """Integers with nulls (past 2**53), a null bool, NaN, dates, bytes and lists: written
    without pandas' metadata, so nothing tells pandas to keep the integers exact."""
    import datetime as dt

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = ["Uống nước nóng diệt được virus corona", "Hà Nội hôm nay mưa to",
             "Tỏi chữa khỏi covid", "Tin nóng"] * 3
    cycle = lambda *v: [v[i % len(v)] for i in range(len(texts))]  # noqa: E731
    source = tmp_path / "typed.parquet"
    pq.write_table(pa.table({
        "text": texts,
        "likes": pa.array(cycle(None, 5, 12, 7), pa.int64()),
        "user_id": pa.array(cycle(None, 2**53 + 1, 2**62 + 1), pa.int64()),
        "big": pa.array(cycle(2**64 - 1, None, 3), pa.uint64()),
        "flag": pa.array(cycle(True, None, False)),
        "ratio": pa.array(cycle(1.5, None, float("nan"))),
        "day": pa.array(cycle(dt.datetime(2023, 1, 1), dt.datetime(2023, 1, 2)),
                        pa.timestamp("ms")),
        "raw": pa.array(cycle(b"\xff\x00", None)),
        "tags": pa.array(cycle([1, 2], None, [])),
    }), source, row_group_size=5)
    for fmt in ("csv", "parquet"):
        local = tmp_path / f"local.{fmt}"
        score_file(str(source), str(local), model=model_file, workers=1)
        out = tmp_path / f"dask-{fmt}"
        score_dask_files(str(source), str(out), model=model_file, scheduler=cluster,
                         partition_rows=4, output_format=fmt)
        if fmt == "csv":
            assert _csv_text(_parts(out, "csv")) == local.read_text(encoding="utf-8")
            continue
        expected = pq.read_table(local)
        got = pa.concat_tables(pq.read_table(p) for p in _parts(out, "parquet"))
        assert got.schema.equals(expected.schema)
        assert got.column("user_id").to_pylist() == expected.column("user_id").to_pylist()
        assert got.drop_columns("ratio").equals(expected.drop_columns("ratio"))
        assert got.column("ratio").is_nan().to_pylist() == [False, None, True] * 4


def test_rows_the_readers_note_are_noted_as_the_local_engine_notes_them(cluster, model_file,
                                                                         tmp_path):
    """Bytes that are not UTF-8 in a CSV row, and a Parquet time past year 9999."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    bad = tmp_path / "bytes.csv"
    bad.write_bytes(b"id,text\n1,T\xe1\xbb\x8fi ch\xff\xfea covid\n2,Ha Noi mua\n"
                    b"3,\"hai\ndong \xc3\"\n")
    far = tmp_path / "far.parquet"
    pq.write_table(pa.table({"text": ["Tỏi chữa khỏi covid", "Hà Nội mưa", "Tin nóng"],
                             "created": pa.array([1_700_000_000, 1_700_000_000_000_000, None],
                                                 pa.timestamp("s"))}), far)
    for source, notes in ((bad, ["invalid UTF-8 replaced", "", "invalid UTF-8 replaced"]),
                          (far, ["", "created outside years 1-9999", ""])):
        local = tmp_path / f"local-{source.stem}.csv"
        score_file(str(source), str(local), model=model_file, workers=1)
        out = tmp_path / f"dask-{source.stem}.csv"
        score_dask_files(str(source), str(out), model=model_file, scheduler=cluster,
                         partition_rows=2, single_file=True)
        assert out.read_bytes() == local.read_bytes()
        frame = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert frame["vnm_error"].tolist() == notes


def test_cli_starts_a_local_cluster_and_writes_the_report(posts_csv, local_csv, model_file,
                                                          tmp_path, capsys):
    out, page = tmp_path / "scored", tmp_path / "review.html"
    code = main(["score", str(posts_csv), "-o", str(out), "--engine", "dask", "--workers", "1",
                 "--model", model_file, "--partition-rows", "10", "--report", str(page),
                 "--report-top", "3"])
    assert code == 0
    assert _csv_text(_parts(out, "csv")) == local_csv.read_text(encoding="utf-8")
    assert "vnmisinfo score: 50 rows in" in capsys.readouterr().err
    html = page.read_text(encoding="utf-8")
    assert html.count('class="item ') == 3 and "p0" in html


def _page_items(page: Path) -> list[tuple[str, str]]:
    """The ids of a review page's items in order, each with its copy count."""
    import re

    html = page.read_text(encoding="utf-8")
    assert "_text_key" not in html and "_raw_key" not in html
    items = re.findall(r"<span>id ([^<]*)</span>|also posted ([^<]*)", html)
    out: list[tuple[str, str]] = []
    for shown, copies in items:
        if shown:
            out.append((shown, ""))
        else:
            out[-1] = (out[-1][0], copies)
    return out


def _both_pages(src: Path, cluster, model_file, *, partition_rows: int, top: int
                ) -> tuple[Path, Path]:
    """The review pages of ``src`` scored by the local engine and by Dask, beside it."""
    local_page, dask_page = src.parent / "local.html", src.parent / "dask.html"
    score_file(str(src), str(src.parent / "local.csv"), model=model_file, workers=1,
               report=str(local_page), report_top=top)
    score_dask_files(str(src), str(src.parent / "dask"), model=model_file, scheduler=cluster,
                     partition_rows=partition_rows, report=str(dask_page), report_top=top)
    return local_page, dask_page


def test_the_page_folds_copies_as_the_local_engine_does(cluster, tiny_corpus, model_file,
                                                         tmp_path):
    """The Dask page spent its slots on copies of one text, each shown as its own item."""
    texts, _ = tiny_corpus
    claim = texts[4]
    rows = [claim, *texts[:12], f"  {claim.upper()}  ", claim, *texts[12:], claim]
    src = tmp_path / "posts.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(len(rows))], "text": rows}).to_csv(src,
                                                                                   index=False)
    local_page, dask_page = _both_pages(src, cluster, model_file, partition_rows=4, top=4)
    local = _page_items(local_page)
    assert local[0] == ("r0", "4 times") and len(local) == 4
    assert _page_items(dask_page) == local


def _page_inputs(page: Path) -> list[dict]:
    """The input rows a review page embeds, which its reviewed CSV writes back."""
    import json

    html = page.read_text(encoding="utf-8")
    block = html.split('<script type="application/json" id="items">')[1].split("</script>")[0]
    return [item["input"] for item in json.loads(block)["items"]]


def test_the_page_keeps_the_input_columns_as_the_local_engine_does(cluster, tiny_corpus,
                                                                   model_file, tmp_path):
    """The Dask page's rows had role names (id, text, ...) and lost the other columns."""
    texts, _ = tiny_corpus
    src = tmp_path / "posts.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["post_id", "post_message", "num_like_post", "shares"])
        writer.writerows([f"{i:05d}", t, 3 * i, "" if i % 2 else i]
                         for i, t in enumerate(texts[:8]))
    local_page, dask_page = _both_pages(src, cluster, model_file, partition_rows=3, top=8)
    local = _page_inputs(local_page)
    assert len(local) == 8 and {"post_id": "00001", "post_message": texts[1],
                                "num_like_post": "3", "shares": ""} in local
    assert _page_inputs(dask_page) == local


@pytest.mark.parametrize("argv, flag", [
    (["--resume"], "--resume"),
    (["--skip-bad-lines"], "--skip-bad-lines"),
    (["--chunk-size", "10"], "--chunk-size"),
    (["--column", "likes=num_like_post"], "--column"),
], ids=["resume", "skip-bad-lines", "chunk-size", "column"])
def test_options_of_the_local_engine_are_refused_by_name(posts_csv, tmp_path, capsys,
                                                         argv, flag):
    code = main(["score", str(posts_csv), "-o", str(tmp_path / "out"), "--engine", "dask",
                 *argv])
    assert code == 2
    assert f"{flag} is not supported with --engine dask" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, flag", [
    (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler"),
    (["--partition-rows", "10"], "--partition-rows"),
    (["--single-file"], "--single-file"),
], ids=["scheduler", "partition-rows", "single-file"])
def test_dask_options_need_the_dask_engine(posts_csv, tmp_path, capsys, argv, flag):
    assert main(["score", str(posts_csv), "-o", str(tmp_path / "o.csv"), *argv]) == 2
    assert f"{flag} needs --engine dask" in capsys.readouterr().err


def test_a_non_empty_output_folder_is_refused(posts_csv, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "part-00000.csv").write_text("old", encoding="utf-8")
    with pytest.raises(ValueError, match="exists and is not empty"):
        score_dask_files(str(posts_csv), str(tmp_path / "out"))


@pytest.mark.parametrize("single_file, report", [(True, None), (False, "nodir/r.html")],
                         ids=["single-file", "report"])
def test_an_output_in_a_missing_folder_is_refused_before_any_cluster(posts_csv, tmp_path,
                                                                     monkeypatch, single_file,
                                                                     report):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # no cluster can start
    out = tmp_path / ("nodir/out.csv" if single_file else "out")
    with pytest.raises(ValueError, match=r"the folder of the (output|report) .* does not exist: "
                       r"create it \(mkdir -p"):
        score_dask_files(str(posts_csv), str(out), single_file=single_file,
                         report=None if report is None else str(tmp_path / report))
    assert not (tmp_path / "nodir").exists() and not (tmp_path / "out").exists()


def test_an_output_that_is_a_file_is_named_so(posts_csv, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # no cluster can start
    existing = tmp_path / "existing.csv"
    existing.write_text("id,text\n", encoding="utf-8")
    assert main(["score", str(posts_csv), "-o", str(existing), "--engine", "dask", "-q"]) == 1
    assert capsys.readouterr().err == (
        f"vnmisinfo score: error: the output {str(existing)!r} is a file, and --engine dask "
        "writes a folder of part files: name a new folder, or pass --single-file to write one "
        "CSV file (it replaces this one).\n")
    assert existing.read_text(encoding="utf-8") == "id,text\n"


def test_utf16_input_is_named_as_the_local_engine_names_it(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # no cluster can start
    source = tmp_path / "posts.csv"
    source.write_bytes("id,text\n1,Tỏi chữa khỏi covid\n".encode("utf-16"))
    with pytest.raises(ValueError) as local:
        score_file(str(source), str(tmp_path / "local.csv"))
    with pytest.raises(ValueError, match=r"is UTF-16 text; re-save it as UTF-8") as dask:
        score_dask_files(str(source), str(tmp_path / "out"))
    assert str(dask.value) == str(local.value)
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()


def test_jsonl_input_is_refused(tmp_path):
    source = tmp_path / "posts.jsonl"
    source.write_text('{"text": "Tỏi chữa khỏi covid"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="reads CSV and Parquet files"):
        score_dask_files(str(source), str(tmp_path / "out"))


@pytest.mark.parametrize("fmt", [None, "csv"])
def test_a_compressed_input_is_sent_to_the_local_engine_not_to_format(tmp_path, fmt, capsys):
    source = tmp_path / "posts.csv.gz"
    source.write_bytes(__import__("gzip").compress("id,text\n1,Tỏi\n".encode()))
    argv = ["score", str(source), "-o", str(tmp_path / "out"), "--engine", "dask", "-q"]
    assert main([*argv, *(["--format", fmt] if fmt else [])]) == 1
    err = capsys.readouterr().err
    assert f"{str(source)!r} is compressed (gzip); score it without --engine dask" in err
    assert "--format" not in err


def test_a_partitioned_parquet_folder_is_read_with_its_partition_columns(cluster, model_file,
                                                                        tmp_path):
    """``year=.../source=.../`` folders, as pandas, Dask and Spark write them."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = ["Tỏi chữa khỏi covid", "Hà Nội hôm nay mưa to", "Uống nước nóng diệt virus",
             "Giá xăng giảm"]
    table = pa.table({"text": texts, "year": [2023, 2023, 2024, 2024],
                      "source": ["fb", "zalo", "fb", "zalo"]})
    pq.write_to_dataset(table, str(tmp_path / "hive"), partition_cols=["year", "source"])
    local = tmp_path / "local.csv"
    score_file(str(_write_parquet(tmp_path / "flat.parquet", table)), str(local),
               model=model_file, workers=1)
    out = tmp_path / "scored"
    summary = score_dask_files(str(tmp_path / "hive"), str(out), model=model_file,
                               scheduler=cluster)
    assert summary.rows == 4
    got = pa.concat_tables(pq.read_table(p) for p in _parts(out, "parquet"))
    assert got.column_names[:3] == ["text", "year", "source"]
    assert got.schema.field("year").type == pa.int32()  # as pyarrow reads the dataset
    expected = pd.read_csv(local, keep_default_na=False)
    assert got.select(["text", "year", "source"]).to_pylist() == table.to_pylist()
    assert got.column("vnm_score").to_pylist() == expected["vnm_score"].tolist()


def _write_parquet(path: Path, table: object) -> Path:
    __import__("pyarrow.parquet").parquet.write_table(table, path)
    return path


def test_nested_folders_that_are_not_partitions_are_named_with_a_glob(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # no cluster can start
    (tmp_path / "dumps" / "march").mkdir(parents=True)
    (tmp_path / "dumps" / "march" / "a.csv").write_text("text\nTỏi\n", encoding="utf-8")
    folder = str(tmp_path / "dumps")
    with pytest.raises(ValueError) as found:
        score_dask_files(folder, str(tmp_path / "out"))
    assert str(found.value) == (
        f"{folder!r} holds no CSV or Parquet file (.csv, .tsv, .parquet, .pq) at its top level "
        "(it has 1 in subfolders, which are read only as a partitioned Parquet dataset: "
        "Parquet files in key=value subfolders); point at the files with a glob, such as "
        f"'{folder}/*/*.csv'.")


def test_a_row_of_the_wrong_width_stops_the_command_before_any_scoring(tmp_path, capsys):
    source = tmp_path / "posts.csv"
    source.write_text('id,post_message\n1,"Tin nóng:\ntỏi chữa covid"\n2,b,EXTRA\n',
                      encoding="utf-8")
    code = main(["score", str(source), "-o", str(tmp_path / "out"), "--engine", "dask"])
    assert code != 0
    assert "line 4: expected 2 fields, found 3" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.partial").exists()


def test_missing_extra_names_the_install_command(posts_csv, tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)
    with pytest.raises(ModuleNotFoundError, match=r'pip install "vnmisinfo\[dask\]"'):
        score_dask_files(str(posts_csv), str(tmp_path / "out"))


def test_local_cluster_workers_allocate_without_a_fixed_trim_threshold(monkeypatch):
    """Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 (in this process, too, where later
    workers inherit it); scoring then takes about twice the CPU. The command's own local
    cluster starts its workers without it, and puts this process's environment back."""
    import os

    from vnmisinfo.batch.dask_files import _client

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")  # as an earlier cluster leaves it
    with _client(None, 1) as client:
        seen = client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    assert list(seen.values()) == [None]
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "65536"


def test_local_cluster_workers_run_no_statistical_profiler():
    """The worker's profiler samples the scoring thread every 10 ms, for a dashboard."""
    import dask

    from vnmisinfo.batch.dask_files import _client

    with _client(None, 1) as client:
        seen = client.run(dask.config.get, "distributed.worker.profile.enabled")
        assert client.submit(sum, range(3_000_000)).result() == 4_499_998_500_000
        assert client.profile()["count"] == 0
    assert list(seen.values()) == [False]


def test_a_trim_threshold_the_user_chose_reaches_the_workers(monkeypatch):
    import os

    from vnmisinfo.batch.dask_files import _client

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1048576")
    with _client(None, 1) as client:
        seen = client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    assert list(seen.values()) == ["1048576"]


def test_workers_with_the_fixed_trim_threshold_are_named_with_the_fix(monkeypatch, posts_csv,
                                                                        model_file, tmp_path):
    import dask

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    dask_default = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 65536}
    with dask.config.set(dask_default), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     dashboard_address=":0") as plain:
        # the workers are asked, not this process (whose nanny set the same value here)
        monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
        with pytest.warns(RuntimeWarning, match=r"1 of 1 Dask workers run with "
                          r"MALLOC_TRIM_THRESHOLD_=65536.*pre-spawn-environ"):
            summary = score_dask_files(str(posts_csv), str(tmp_path / "out"), model=model_file,
                                       scheduler=plain.scheduler_address)
    assert summary.rows > 0

