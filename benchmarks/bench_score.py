"""Throughput and memory of ``vnmisinfo score`` against the naive per-post loop.

The naive pipeline is the loop a user would write: for each post,
``underthesea.word_tokenize`` and then ``detector.predict_proba([post])``,
one post at a time, on one core.  It is timed on a sample of ``--naive-sample``
posts and its rate is extrapolated to the full file (the table says so).

vnmisinfo is run as the real command (``python -m vnmisinfo.cli score``) in a
subprocess, so start-up, model loading, reading and writing are all counted,
and its peak memory is measured: the largest single process
(its VmHWM) and the peak of the summed RSS of the whole
process tree (sampled from /proc every 0.2 s).

Inputs: ReINTEL ``unlabeled.csv`` (3,288 posts), and files of ``--rows`` and
``--million-rows`` rows made by repeating it with a per-copy perturbation that
keeps every text distinct after normalization (a copy number appended), so
neither deduplication nor caching flatters the figures.  Generated files go to
a temporary folder, never into the repository.

Usage::

    python benchmarks/bench_score.py                     # 3,288 and 100k rows
    python benchmarks/bench_score.py --million           # also peak RSS for 1M rows
    python benchmarks/bench_score.py --model m.skops --fast-preset
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("VNMISINFO_CORPORA", ROOT.parent / "shared" / "corpora"))
UNLABELED = CORPORA / "reintel" / "unlabeled.csv"


def make_file(path: Path, rows: int, *, runs: int = 0) -> Path:
    """Repeat unlabeled.csv up to ``rows`` rows; copy k > 0 gets ' (bản k)' appended.

    With ``runs`` > 0, each post is instead written ``runs`` times in a row, unchanged but for
    its id: deduplication then scores each run once, which keeps a memory measurement on a
    million rows short (its speed is not comparable, and the table says so).
    """
    csv.field_size_limit(2**31 - 1)
    with open(UNLABELED, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        base = list(reader)
    text_at = header.index("post_message")
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(rows):
            copy, row = divmod(i, len(base))
            if runs:
                row, copy = (i // runs) % len(base), 0
            r = list(base[row])
            if runs:
                r[0] = f"{r[0]}-{i}"
            elif copy:
                r[0] = f"{r[0]}-{copy}"
                r[text_at] = f"{r[text_at]} (bản {copy})"
            writer.writerow(r)
    return path


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """Summed VmRSS of ``root`` and its descendants, and their largest VmHWM, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    hwm: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        pid, ppid = int(entry), int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
        hwm[pid] = int(fields.get("VmHWM", "0 kB").split()[0])
    total, largest, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        largest = max(largest, hwm.get(pid, 0))
        todo.extend(children.get(pid, []))
    return total, largest


def run_cli(args: list[str]) -> tuple[float, float, float, str]:
    """Run ``vnmisinfo score`` in a subprocess; return seconds, max RSS MB, tree RSS MB, log.

    The largest process's peak is its VmHWM (``getrusage(RUSAGE_CHILDREN)`` would also count
    the moment between fork and exec, when the child still has this process's memory).
    """
    cmd = [sys.executable, "-m", "vnmisinfo.cli", "score", *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]

    def sample() -> None:
        while proc.poll() is None:
            tree, largest = _tree_rss_kb(proc.pid)
            peak[0] = max(peak[0], tree)
            peak[1] = max(peak[1], largest)
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    thread.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err}")
    return seconds, peak[1] / 1024, peak[0] / 1024, err.strip().splitlines()[-1]


def naive_rate(model_path: str | None, sample: int) -> float:
    """Posts per second of the naive loop on the first ``sample`` posts."""
    import pandas as pd
    from underthesea import word_tokenize

    from vnmisinfo.triage import load_model

    det = load_model(model_path).detector
    posts = pd.read_csv(UNLABELED, dtype=str, keep_default_na=False)["post_message"].tolist()
    posts = posts[:sample]
    det.predict_proba([posts[0]])  # warm up: lazy imports and tables
    start = time.perf_counter()
    for post in posts:
        word_tokenize(post)
        det.predict_proba([post])
    return len(posts) / (time.perf_counter() - start)


def train_fast(path: Path) -> Path:
    """Train the ``fast`` preset on ReINTEL train.csv and save it."""
    from vnmisinfo.data.corpora import load_reintel
    from vnmisinfo.evaluation.train import make_detector
    from vnmisinfo.triage import Triage, save_model

    frame = load_reintel(CORPORA / "reintel" / "train.csv")
    frame = frame[frame["text"].str.strip() != ""].reset_index(drop=True)
    det = make_detector("fast", cv=3).fit(frame, frame["label"].to_numpy())
    return save_model(Triage(det), path)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=None, help="model file (default: the shipped model)")
    p.add_argument("--fast-preset", action="store_true",
                   help="also train the 'fast' preset on ReINTEL train and time it")
    p.add_argument("--rows", type=int, default=100_000, help="rows of the large file")
    p.add_argument("--naive-sample", type=int, default=300, help="posts timed in the naive loop")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--chunk-size", type=int, default=2000)
    p.add_argument("--million", action="store_true", help="also measure peak RSS on 1M rows")
    p.add_argument("--million-rows", type=int, default=1_000_000)
    p.add_argument("--million-runs", type=int, default=500,
                   help="each post repeated this many times in a row in the 1M file")
    p.add_argument("--big-default", action="store_true",
                   help="run every configuration on the large file, not only the fastest")
    args = p.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="vnmisinfo-bench-"))
    model = args.model
    naive = naive_rate(model, args.naive_sample)
    print(f"naive loop: {naive:.1f} posts/s over {args.naive_sample} posts (one core)",
          file=sys.stderr)
    big = make_file(tmp / "big.csv", args.rows)
    inputs = [("unlabeled.csv", UNLABELED, 3288), (f"{args.rows:,} rows", big, args.rows)]
    models: list[tuple[str, str | None, list[str]]] = [("default model", model, [])]
    if args.fast_preset:
        fast = str(train_fast(tmp / "fast.skops"))
        models.append(("fast preset, --no-match", fast, ["--no-match"]))

    table = ["| config | input | rows | seconds | rows/s | speed-up vs naive | peak RSS MB "
             "(largest process / whole tree) |", "|---|---|---|---|---|---|---|"]
    for name, rows_path, n in inputs:
        table.append(f"| naive loop (1 post at a time, 1 core; rate from {args.naive_sample} "
                     f"posts, time extrapolated) | {name} | {n:,} | {n / naive:,.0f} | "
                     f"{naive:,.1f} | 1.0x | - |")
        for label, mpath, flags in models:
            big_input = rows_path != UNLABELED
            if big_input and (label, mpath, flags) != models[-1] and not args.big_default:
                continue  # the large file is for the fastest configuration
            for workers in ([args.workers] if big_input else sorted({1, args.workers})):
                cli = [str(rows_path), "-o", str(tmp / "out.csv"), "--workers", str(workers),
                       "--chunk-size", str(args.chunk_size)]
                if mpath:
                    cli += ["--model", mpath]
                secs, max_rss, tree, summary = run_cli(cli + flags)
                rate = n / secs
                table.append(f"| vnmisinfo score, {label}, {workers} worker(s), chunk "
                             f"{args.chunk_size} | {name} | {n:,} | {secs:,.1f} | {rate:,.1f} | "
                             f"{rate / naive:.1f}x | {max_rss:,.0f} / {tree:,.0f} |")
                print(table[-1], file=sys.stderr)
    if args.million:
        million = make_file(tmp / "million.csv", args.million_rows, runs=args.million_runs)
        label, mpath, flags = models[-1]
        cli = [str(million), "-o", str(tmp / "out.csv"), "--workers", str(args.workers),
               "--chunk-size", str(args.chunk_size)]
        if mpath:
            cli += ["--model", mpath]
        secs, max_rss, tree, summary = run_cli(cli + flags)
        n = args.million_rows
        table.append(f"| vnmisinfo score, {label}, {args.workers} worker(s) | "
                     f"{n:,} rows, each post {args.million_runs}x in a row (memory run) | "
                     f"{n:,} | {secs:,.1f} | {n / secs:,.1f} | "
                     f"not comparable | {max_rss:,.0f} / {tree:,.0f} |")
    print("\n".join(table))
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
