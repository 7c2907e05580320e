"""Corpus loaders: every format's happy path and every error path, with file and line named."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from vnmisinfo.data.corpora import (
    RECORD_COLUMNS,
    CorpusError,
    EmptyTextWarning,
    load_any,
    load_lines,
    load_reintel,
    load_table,
    load_training_set,
    load_vfnd,
    map_labels,
)
from vnmisinfo.data.hygiene import text_keys

REINTEL = (
    "id,user_name,post_message,timestamp_post,num_like_post,num_comment_post,num_share_post,label\n"
    '1,u1,"Tỏi chữa khỏi covid, chia sẻ ngay",1584000000,10,2,3,1\n'
    '2,u2,"Hà Nội nắng nhẹ\ncuối tuần",1584000100,,x,1,0\n'
    "3,u3,Bộ Y tế khuyến cáo rửa tay,1584000200,5,0,0,0\n"
)
VFND_CSV = (
    'text,domain,label\n"Thủ tướng xin lỗi vì đội tuyển",tinvn.info,1\n'
    "Giá xăng giảm,vnexpress.net,0\n"
)
VFND_JSON = (
    "id,label,kind,title,text,source_domain,url,date_publish\n"
    "A1,fake,article,Tin sốc,Con gái là người tình kiếp trước,2sao.vn,http://x,2018\n"
    "A2,real,article,Thời sự,Hà Nội mưa to,dantri.com.vn,http://y,2018\n"
    "A3,misleading,post,,Sóng 5G lây virus,facebook.com,http://z,2019\n"
)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_reintel_maps_columns_and_counts(tmp_path):
    frame = load_reintel(_write(tmp_path, "train.csv", REINTEL))
    assert tuple(frame.columns) == RECORD_COLUMNS
    assert frame["label"].tolist() == [1, 0, 0]
    assert frame["id"].tolist() == ["reintel:train:1", "reintel:train:2", "reintel:train:3"]
    assert frame.loc[0, "likes"] == 10.0 and pd.isna(frame.loc[1, "comments"])
    assert "u1" not in frame.to_string()  # poster identities are never read


@pytest.mark.parametrize("text, labels, domains", [
    (VFND_CSV, [1, 0], ["tinvn.info", "vnexpress.net"]),
    (VFND_JSON, [1, 0, 1], ["2sao.vn", "dantri.com.vn", "facebook.com"]),
], ids=["articles-csv", "json-derived-csv"])
def test_load_vfnd_both_files(tmp_path, text, labels, domains):
    frame = load_vfnd(_write(tmp_path, "vfnd.csv", text))
    assert frame["label"].tolist() == labels
    assert frame["domain"].tolist() == domains


def test_load_vfnd_json_keeps_titles(tmp_path):
    frame = load_vfnd(_write(tmp_path, "vfnd.csv", VFND_JSON))
    assert frame.loc[0, "title"] == "Tin sốc"


@pytest.mark.parametrize("name, writer", [
    ("x.csv", lambda p, rows: pd.DataFrame(rows).to_csv(p, index=False)),
    ("x.tsv", lambda p, rows: pd.DataFrame(rows).to_csv(p, index=False, sep="\t")),
    ("x.jsonl", lambda p, rows: p.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")),
    ("x.parquet", lambda p, rows: pd.DataFrame(rows).to_parquet(p)),
], ids=["csv", "tsv", "jsonl", "parquet"])
def test_load_table_formats_with_named_columns(tmp_path, name, writer):
    rows = [{"ma": "a", "bai_viet": "Tỏi chữa khỏi covid", "nhan": "fake"},
            {"ma": "b", "bai_viet": "Hà Nội mưa to", "nhan": "real"}]
    path = tmp_path / name
    writer(path, rows)
    frame = load_table(path, text_column="bai_viet", label_column="nhan", id_column="ma")
    assert frame["text"].tolist() == ["Tỏi chữa khỏi covid", "Hà Nội mưa to"]
    assert frame["label"].tolist() == [1, 0]
    assert frame["id"].tolist() == ["x:a", "x:b"]


def test_load_table_unlabelled(tmp_path):
    frame = load_table(_write(tmp_path, "u.csv", "text\nTin một\nTin hai\n"), label_column=None)
    assert frame["label"].isna().all() and len(frame) == 2


def test_load_table_keeps_the_files_own_ids(tmp_path):
    """An id column is found as vnmisinfo score finds it, so that evaluate's predictions
    join back to the file; rows without an id are numbered."""
    p = tmp_path / "posts.csv"
    pd.DataFrame({"post_id": ["s001", None, "s003"], "text": ["a", "b", "c"],
                  "label": [1, 0, 1]}).to_csv(p, index=False)
    assert load_table(p)["id"].tolist() == ["posts:s001", "posts:#1", "posts:s003"]
    p2 = tmp_path / "plain.csv"
    pd.DataFrame({"text": ["a", "b"], "label": [1, 0]}).to_csv(p2, index=False)
    assert load_table(p2)["id"].tolist() == ["plain:0", "plain:1"]
    p3 = tmp_path / "newsroom.csv"  # ReINTEL's columns: read by its loader, ids kept too
    pd.DataFrame({"post_id": ["fb_1", "fb_2"], "post_message": ["a", "b"],
                  "label": [1, 0]}).to_csv(p3, index=False)
    assert load_any(p3)["id"].tolist() == ["reintel:newsroom:fb_1", "reintel:newsroom:fb_2"]


@pytest.mark.parametrize("label, expected", [(None, [None, None]), ("fake", [1, 1]), (0, [0, 0])],
                         ids=["unlabelled", "fake", "zero"])
def test_load_lines(tmp_path, label, expected):
    frame = load_lines(_write(tmp_path, "tin.txt", "Tin một\nTin hai\n\n"), label=label)
    got = [None if pd.isna(v) else int(v) for v in frame["label"]]
    assert got == expected
    assert frame["id"].tolist() == ["tin:1", "tin:2"]


@pytest.mark.parametrize("name, text, source", [
    ("train.csv", REINTEL, "reintel/train.csv"),
    ("vfnd.csv", VFND_JSON, "vfnd/vfnd.csv"),
    ("plain.csv", "text,label\nTin,1\nTin khác,0\n", "plain.csv"),
    ("posts.jsonl", '{"text": "Tin", "label": 1}\n', "posts.jsonl"),
    ("posts.txt", "Tin\n", "posts.txt"),
], ids=["reintel", "vfnd", "generic-csv", "jsonl", "txt"])
def test_load_any_dispatches(tmp_path, name, text, source):
    frame = load_any(_write(tmp_path, name, text))
    assert frame["source"].iloc[0] == source


@pytest.mark.parametrize("loader, name, text, match", [
    (load_reintel, "r.csv", "id,post_message\n1,Tin\n",
     r"r\.csv: missing column\(s\) \['label'\].*Rename"),
    (load_vfnd, "v.csv", "text,domain\nTin,a.vn\n", r"v\.csv: missing column\(s\) \['label'\]"),
    (load_reintel, "r.csv", 'id,post_message,label\n1,"Tin\nhai dòng",1\n2,Tin,maybe\n',
     r"r\.csv, line 4: unknown label 'maybe'; expected one of"),
    (load_vfnd, "v.csv", "text,label\nTin,fake\nTin,\n", r"v\.csv, line 3: an empty label"),
    (load_reintel, "r.csv", "", r"r\.csv: the file is empty"),
    (load_vfnd, "v.csv", "text,label\n", r"v\.csv: the file has a header but no rows"),
    (load_reintel, "r.csv", 'id,post_message,label\n1,Tin,1\n2,"Tin mở ngoặc,0\n3,Tin,1\n',
     r"r\.csv, line 3: .*never closed.*Quote fields"),
    (load_vfnd, "v.csv", "text,label\nTin,1\nTin,0,thừa\n",
     r"v\.csv, line 3: expected 2 fields as in the header, found 3"),
], ids=["reintel-no-label", "vfnd-no-label", "bad-label-multiline", "empty-label", "empty-file",
        "header-only", "unclosed-quote", "extra-field"])
def test_loader_errors_name_file_and_line(tmp_path, loader, name, text, match):
    with pytest.raises(CorpusError, match=match):
        loader(_write(tmp_path, name, text))


@pytest.mark.parametrize("name, text, kwargs, match", [
    ("x.csv", "body,label\nTin,1\n", {"text_column": "bai_viet"},
     r"x\.csv: missing column\(s\) \['bai_viet'\].*--text-column"),
    ("x.csv", "cot_a,label\nTin,1\n", {}, r"x\.csv: no text column.*text_column"),
    ("x.jsonl", '{"text": "a", "label": 1}\n{"text": "b", label: 0}\n', {},
     r"x\.jsonl, line 2: not valid JSON"),
    ("x.jsonl", '["a", 1]\n', {}, r"x\.jsonl, line 1: expected a JSON object"),
    ("x.jsonl", "\n\n", {}, r"x\.jsonl: the file holds no JSON records"),
    ("x.xml", "<a/>", {}, r"x\.xml: cannot tell the format"),
    ("x.csv", "text,label\nTin,2\n", {}, r"x\.csv, line 2: unknown label '2'"),
    ("x.csv", "text,label\nTin,True\nTin khác,False\n", {},
     r"x\.csv, line 2: label 'True' is ambiguous.*write 1/0, fake/real or misinformation"),
    ("x.jsonl", '{"text": "Tin", "label": false}\n', {}, r"x\.jsonl, line 1: label False is"),
], ids=["missing-text-column", "no-known-text", "bad-json", "json-not-object", "blank-jsonl",
        "unknown-extension", "bad-label", "true-false-csv", "json-boolean"])
def test_load_table_errors(tmp_path, name, text, kwargs, match):
    with pytest.raises(CorpusError, match=match):
        load_table(_write(tmp_path, name, text), **kwargs)


def test_reviewer_verdict_words_are_labels(tmp_path):
    frame = load_table(_write(tmp_path, "x.csv",
                              "text,label\nTin,misinformation\nTin khác,Reliable\n"))
    assert frame["label"].tolist() == [1, 0]


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CorpusError, match=r"nope\.csv: file not found"):
        load_any(tmp_path / "nope.csv")


def test_load_lines_blank_file(tmp_path):
    with pytest.raises(CorpusError, match=r"b\.txt: the file holds only blank lines"):
        load_lines(_write(tmp_path, "b.txt", "\n \n"))


def test_empty_texts_are_reported_with_lines_and_ids(tmp_path):
    text = 'id,post_message,label\n1,"Tin\nhai dòng",1\n2,,0\n3,Tin,0\n4,   ,1\n'
    match = r"2 document\(s\) with empty text, at line\(s\) 4, 6"
    with pytest.warns(EmptyTextWarning, match=match):
        frame = load_reintel(_write(tmp_path, "r.csv", text))
    assert frame.attrs["empty_texts"] == ["reintel:r:2", "reintel:r:4"]
    assert frame.attrs["empty_lines"] == [4, 6]
    assert len(frame) == 4  # kept, but reported


def test_no_warning_without_empty_texts(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", EmptyTextWarning)
        frame = load_reintel(_write(tmp_path, "r.csv", REINTEL))
    assert frame.attrs["empty_texts"] == []


def test_read_texts_takes_a_sentence_for_a_text_and_names_bad_files(tmp_path):
    """A quoted sentence that ends in a file name is a text; an empty text, a file that is not
    there and a file that is not UTF-8 are named."""
    from vnmisinfo.data.tables import read_texts

    sentence = "Uống nước nóng diệt virus, xem danh_sach.csv"
    assert read_texts(sentence) == [sentence]
    with pytest.raises(ValueError, match="nothing to match"):
        read_texts("  ")
    with pytest.raises(FileNotFoundError, match="not found"):
        read_texts(str(tmp_path / "missing.csv"))
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café crème\n".encode("latin-1"))
    with pytest.raises(CorpusError, match="not UTF-8 text"):
        read_texts(str(latin))
    table = tmp_path / "t.jsonl"
    table.write_text('{"id": 1}\n{"text": null}\n{"text": 7}\n{"text": "Tin"}\n',
                     encoding="utf-8")
    cells = read_texts(str(table))  # as read: the caller says why a row has no text
    assert pd.isna(cells[0]) and pd.isna(cells[1]) and cells[2:] == [7, "Tin"]


def test_compressed_tables_and_texts_are_read_like_the_plain_files(tmp_path):
    """drift, queue, feedback, evaluate and match read .gz, .bz2 and .xz files by the
    extension under the compression's; a cut one, or a compressed Parquet, is a clear error."""
    import bz2
    import gzip
    import lzma

    from vnmisinfo.data.corpora import load_any
    from vnmisinfo.data.tables import read_any_table, read_texts

    rows = [{"text": "Tỏi chữa khỏi covid", "label": 1}, {"text": "Hà Nội mưa to", "label": 0}]
    plain = tmp_path / "posts.csv"
    pd.DataFrame(rows).to_csv(plain, index=False)
    lines = tmp_path / "texts.txt"
    lines.write_text("Tỏi chữa khỏi covid\nHà Nội mưa to\n", encoding="utf-8")
    for module, suffix in ((gzip, ".gz"), (bz2, ".bz2"), (lzma, ".xz")):
        packed = tmp_path / f"posts.csv{suffix}"
        packed.write_bytes(module.compress(plain.read_bytes()))
        pd.testing.assert_frame_equal(read_any_table(packed), read_any_table(plain))
        assert load_any(packed)["label"].tolist() == [1, 0]
        texts = tmp_path / f"texts.txt{suffix}"
        texts.write_bytes(module.compress(lines.read_bytes()))
        assert read_texts(str(texts)) == read_texts(str(lines))
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(plain.read_bytes() * 500)[:-30])
    with pytest.raises(CorpusError, match="cut short or damaged"):
        read_any_table(cut)
    with pytest.raises(CorpusError, match="Parquet file compresses itself"):
        read_any_table(tmp_path / "x.parquet.gz")


def test_vietnamese_and_platform_column_names_are_recognised_however_accents_are_encoded():
    """A newsroom export names its columns in Vietnamese (``Nội dung``, ``Lượt thích``), a
    spreadsheet may store the accents decomposed (NFD), and X exports say ``full_text``."""
    import unicodedata

    from vnmisinfo.data.schema import as_frame, resolve_columns

    columns = [unicodedata.normalize("NFD", c) for c in
               ("Tiêu đề", "Nội dung", "Lượt thích", "Bình luận", "Chia sẻ", "Ngày đăng")]
    found = resolve_columns(columns)
    assert found == dict(zip(["title", "text", "likes", "comments", "shares", "timestamp"],
                             columns, strict=True))
    frame = as_frame(pd.DataFrame([["Tin", "Tỏi chữa khỏi covid", "1,2K", "3", "4",
                                    "05/03/2024 10:30"]], columns=columns))
    assert frame.loc[0, ["title", "text", "likes", "comments", "shares"]].tolist() == [
        "Tin", "Tỏi chữa khỏi covid", 1200.0, 3.0, 4.0]
    assert frame.loc[0, "timestamp"] == pd.Timestamp("2024-03-05T10:30:00+07:00").timestamp()
    assert resolve_columns(["full_text", "favorite_count", "retweet_count"]) == {
        "text": "full_text", "likes": "favorite_count", "shares": "retweet_count"}
    assert resolve_columns(["text", "nội dung"])["text"] == "text"  # first name wins
    # a column named exactly comes first, as for the reviewer columns ('text ' won before)
    assert resolve_columns(["text ", "text"])["text"] == "text"
    assert resolve_columns(["Text", "text"])["text"] == "text"
    assert resolve_columns(["Text", "text "])["text"] == "Text"  # neither exact: the first


def test_whole_numbers_with_a_gap_are_read_as_given(tmp_path):
    """An int64 id column with a null (Parquet) or a row without the id (JSONL) was read as
    floats: 10158123456789013 became 1.0158123456789012e+16 and two ids became one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vnmisinfo.data.tables import read_any_table

    ids = [10158123456789013, 10158123456789015, None]
    pq.write_table(pa.table({"id": pa.array(ids, pa.int64()), "text": ["a", "b", "c"],
                             "likes": [3, 4, 5]}), tmp_path / "p.parquet")
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text('{"id": 10158123456789013, "text": "a", "likes": 3}\n'
                     '{"id": 10158123456789015, "text": "b", "likes": 4.5}\n'
                     '{"text": "c", "likes": 5}\n', encoding="utf-8")
    for path in (tmp_path / "p.parquet", jsonl):
        frame = read_any_table(path)
        assert frame["id"].tolist() == ids and frame["text"].tolist() == ["a", "b", "c"]
    assert read_any_table(tmp_path / "p.parquet")["likes"].dtype == "int64"
    assert read_any_table(jsonl)["likes"].tolist() == [3, 4.5, 5]
    assert read_any_table(jsonl).to_csv(index=False).splitlines()[1:] == [
        "10158123456789013,a,3", "10158123456789015,b,4.5", ",c,5"]


def test_table_format_names_a_folder_and_asks_for_no_format_option(tmp_path):
    """A folder was refused by its extension '', with 'or name the format (--format)', an
    option none of the commands that read tables has."""
    from vnmisinfo.data.tables import table_format

    (tmp_path / "posts.csv").mkdir()
    with pytest.raises(CorpusError, match=r"posts\.csv: a folder, not a file; name a file"):
        table_format(tmp_path / "posts.csv", None)
    with pytest.raises(CorpusError, match=r"extension '\.xml'; use one of .*\.txt\.$"):
        load_table(_write(tmp_path, "x.xml", "<a/>"))


@pytest.mark.parametrize("name, text", [
    ("posts.csv", "text,label\nTỏi chữa khỏi covid,1\n"),
    ("posts.jsonl", '{"text": "Tỏi chữa khỏi covid", "label": 1}\n'),
    ("posts.txt", "Tỏi chữa khỏi covid\n"),
], ids=["csv", "jsonl", "txt"])
def test_a_utf16_file_is_named_with_the_fix(tmp_path, name, text):
    """load_any printed the codec's own words without the file: 'utf-8' codec can't decode
    byte 0xff in position 0."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-16")
    with pytest.raises(CorpusError, match=rf"{name}: not UTF-8 text .*Re-save the file as UTF-8"):
        load_any(path)


def test_map_labels_works_on_labels_in_memory():
    assert map_labels(["1", "0", 1, 0.0, "Fake", "reliable"]).tolist() == [1, 0, 1, 0, 1, 0]
    with pytest.raises(CorpusError, match=r"^label at position 2: unknown label 'maybe'"):
        map_labels(["1", "0", "maybe"])
    with pytest.raises(CorpusError, match=r"^x\.csv, line 4: unknown label 'maybe'"):
        map_labels(["1", "0", "maybe"], "x.csv")


@pytest.mark.parametrize("sep, name", [(",", "r.csv"), ("\t", "r.tsv")])
def test_blank_lines_are_skipped_and_each_row_keeps_its_line(tmp_path, sep, name):
    """Blank lines were counted as rows in the line map, which then ran longer than the
    table: compare crashed on a zip of unequal lengths, and errors named the line above."""
    from vnmisinfo.data.tables import read_any_table

    text = ('\n\ntext,verdict\nTin một,misinformation\n\n   \n"Dòng một\n\ndòng ba",reliable\n'
            '"",\nTin bốn,reliable\n\r\n\n').replace(",", sep)
    frame = read_any_table(_write(tmp_path, name, text))
    assert frame.values.tolist() == [["Tin một", "misinformation"],
                                     ["Dòng một\n\ndòng ba", "reliable"], ["", ""],
                                     ["Tin bốn", "reliable"]]
    assert frame.attrs["lines"] == [4, 7, 10, 11]


@pytest.mark.parametrize("name, text, found", [
    ("r.csv", "id;text;verdict\r\n1;Tỏi chữa covid;misinformation\r\n", "';'"),
    ("r.csv", "id;text;verdict\r\n1;Tỏi, gừng chữa covid, chia sẻ;misinformation\r\n", "';'"),
    ("r.csv", "id\ttext\n1\tTỏi, gừng chữa covid\n", "tabs"),
    ("r.tsv", "id,text\n1,Tỏi chữa covid\n", "','"),
], ids=["semicolons", "semicolons-and-commas-in-text", "tabs-in-csv", "commas-in-tsv"])
def test_a_file_separated_by_another_character_is_named_with_the_fix(tmp_path, name, text,
                                                                     found):
    """Excel's CSV in a Vietnamese locale is separated by ';': it read as one column (no
    'verdict' column among ['id;text;verdict']) or as a broken CSV to quote."""
    from vnmisinfo.data.tables import read_any_table

    with pytest.raises(CorpusError, match=rf"{name}: the header reads as one column, .*"
                                          rf"looks separated by {found}.*(save it again as "
                                          r"CSV|name it \.(csv|tsv))") as err:
        read_any_table(_write(tmp_path, name, text))
    assert "Quote fields" not in str(err.value)


def test_reviewer_columns_are_matched_as_the_text_column_is():
    """'Verdict', 'note ' and 'Narrative ID' were missed (exact names only), while
    'POST_MESSAGE ' was found; two columns that read as one name are refused, naming both."""
    from vnmisinfo.data.schema import find_columns, resolve_columns

    columns = ["POST_MESSAGE ", "Verdict", "note ", "Narrative  ID", "vnm_score"]
    assert find_columns(columns, ["verdict", "narrative_id", "note", "rating"]) == {
        "verdict": "Verdict", "note": "note ", "narrative_id": "Narrative  ID"}
    assert resolve_columns(columns) == {"text": "POST_MESSAGE "}
    assert resolve_columns(["Post Message"]) == {"text": "Post Message"}
    with pytest.raises(ValueError, match=r"r\.csv has two columns that read as 'note': "
                                         r"'Note' and 'NOTE'; keep one"):
        find_columns(["text", "Note", "NOTE"], ["note"], source="r.csv")
    # a column spelled as the name is the name's: a queue's 'note' beside the input's 'Note'
    assert find_columns(["text", "Note", "note"], ["note"]) == {"note": "note"}


def test_a_broken_unicode_escape_in_jsonl_is_replaced_and_named_as_score_does(tmp_path):
    """match and drift stopped on '\\ud800' ('surrogates not allowed', no line), which score
    reads as U+FFFD with a note."""
    from vnmisinfo.cli import main
    from vnmisinfo.data.tables import read_any_table

    path = tmp_path / "surr.jsonl"
    path.write_text('{"text": "Uống nước \\ud800 chanh", "id": 1}\n{"text": "Hà Nội mưa"}\n',
                    encoding="utf-8")
    with pytest.warns(UserWarning, match=r"broken \\u escape .* on line\(s\) 1\."):
        frame = read_any_table(path)
    assert frame["text"].tolist() == ["Uống nước \ufffd chanh", "Hà Nội mưa"]
    frame["text"].str.encode("utf-8")  # writable as UTF-8, as every later step needs
    assert main(["match", str(path)]) == 0


def test_training_set_counts_copies_with_other_punctuation_once_and_drops_conflicts(tmp_path):
    (tmp_path / "reintel").mkdir()
    (tmp_path / "vfnd").mkdir()
    _write(tmp_path, "reintel/train.csv", REINTEL)
    header = REINTEL.splitlines()[0]
    _write(tmp_path, "reintel/warmup.csv", header + "\n"
           '9,u9,"Tỏi chữa khỏi covid!!! Chia sẻ ngay 😡",1584000300,1,1,1,1\n'
           '8,u8,"Bộ Y tế khuyến cáo: rửa tay.",1584000400,1,1,1,1\n'
           '7,u7,"😡😡 !!!",1584000500,1,1,1,1\n')  # no word: nothing to learn from
    # The CSV joins the title to the text with a full stop; the JSON file keeps it apart.
    _write(tmp_path, "vfnd/vfnd_articles_223.csv",
           'text,domain,label\n"Tin sốc. Con gái là người tình kiếp trước",2sao.vn,1\n')
    _write(tmp_path, "vfnd/vfnd_json_274.csv", VFND_JSON)
    frame = load_training_set(tmp_path)
    assert frame["id"].tolist() == ["reintel:train:1", "reintel:train:2",
                                    "vfnd:vfnd_articles_223:0", "vfnd:vfnd_json_274:A2",
                                    "vfnd:vfnd_json_274:A3"]
    assert frame["label"].tolist() == [1, 0, 1, 0, 1]
    assert frame["group"].nunique() == len(frame)
    assert frame["key"].tolist() == text_keys(frame)  # normalized once, kept for the caller
