"""Check the scoring engine against its goals, every figure measured in one run.

Each timed command runs as a new process (``vnmisinfo`` through its installed console
script, or ``python -c``), so start-up, imports, model loading, reading and writing are
counted and no cache outlives a process.  Every ratio is against a baseline measured in
the same run.

Inputs, written to a temporary folder and deleted at the end:

- the *distinct-post file*: the ReINTEL unlabeled, train and warm-up posts plus the
  unlabeled posts typed without diacritics (``strip_diacritics``), deduplicated, as a CSV
  of ``id, text`` (about 10,000 posts);
- the *big file*: ``--big`` rows (default 100,000) made by repeating the distinct posts,
  copy k > 0 with `` #k`` appended, so that no text repeats;
- with ``--million``, a 1,000,000-row file made the same way (peak memory of one worker).

Goals and how they are measured:

- speed: ``vnmisinfo score`` (default model, explanations, narrative matching and entities
  on, 2 workers; then without matching, without matching or explanations, and ``--fast``
  (the shipped fast model as well): the frontier, with each model's grouped CV ROC-AUC from
  its training report)
  on the distinct-post file against the naive loop a user writes by hand, in
  a process of its own: ``TfidfVectorizer(ngram_range=(1, 2))`` + ``LogisticRegression``
  fitted on ReINTEL train with underthesea's ``word_tokenize(text, format="text")``, then
  ``word_tokenize`` and ``predict_proba([post])`` one post at a time on one core.  The loop
  is timed on every post of the file (with ``--naive-sample N``, on the first N posts, and
  its rate extrapolated to the file);
- start-up: ``import vnmisinfo`` + load + first score against
  ``import pandas, scipy.sparse, sklearn.linear_model``, each the best of 3 new processes;
- memory: peak RSS of each process of a ``vnmisinfo score`` run and of the sum over its
  process tree, sampled with psutil every 0.2 s; ``--workers 1`` on the distinct-post file
  and on the big file shows whether memory stays flat (counted flat when the big file's
  peak is at most 10% above the small file's);
- the size of the shipped model file;
- training: ``vnmisinfo train --preset default --cv 0`` as a whole process;
- Dask: ``vnmisinfo score --engine dask`` with 2 local workers against 1 on the big file,
  each a whole process (cluster start-up included).

Usage::

    python benchmarks/bench_engine.py --quick          # smoke test: 2,000 posts, 20,000 rows
    python benchmarks/bench_engine.py                  # the goals: ~10k posts, 100,000 rows
    python benchmarks/bench_engine.py --million        # also peak memory on 1,000,000 rows
    python benchmarks/bench_engine.py --no-dask --big 50000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("VNMISINFO_CORPORA", ROOT.parent / "shared" / "corpora"))
REINTEL = CORPORA / "reintel"
VNMISINFO = Path(sys.executable).with_name("vnmisinfo")
SAMPLE_POST = "Uống nước nóng diệt được virus corona"
BASELINE_IMPORT = "import pandas, scipy.sparse, sklearn.linear_model"
FIRST_SCORE = f"import vnmisinfo; vnmisinfo.load_model().score([{SAMPLE_POST!r}])"
MB = 1024 * 1024


# --- inputs ------------------------------------------------------------------------------


def distinct_posts() -> list[str]:
    """ReINTEL unlabeled + train + warm-up posts, and unlabeled without diacritics, deduplicated."""
    import pandas as pd

    from vnmisinfo.text.normalize import strip_diacritics

    def posts(name: str) -> list[str]:
        frame = pd.read_csv(REINTEL / f"{name}.csv", dtype=str, keep_default_na=False)
        return frame["post_message"].tolist()

    unlabeled = posts("unlabeled")
    every = unlabeled + posts("train") + posts("warmup") + [strip_diacritics(p) for p in unlabeled]
    return [p for p in dict.fromkeys(every) if p.strip()]


def write_posts(path: Path, base: list[str], rows: int) -> Path:
    """``rows`` distinct rows of ``id, text``: ``base`` repeated, copy k > 0 with ' #k' appended."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text"])
        for i in range(rows):
            copy, at = divmod(i, len(base))
            writer.writerow([i, f"{base[at]} #{copy}" if copy else base[at]])
    return path


# --- measuring processes -----------------------------------------------------------------


@dataclass
class Run:
    """One timed process: wall seconds and peak RSS (MB) of each process of its tree."""

    seconds: float
    main_mb: float = 0.0
    child_mb: dict[int, float] = field(default_factory=dict)
    tree_mb: float = 0.0
    tail: str = ""

    @property
    def worker_mb(self) -> float:
        return max(self.child_mb.values(), default=0.0)


def run_process(cmd: list[str], *, sample: bool = True) -> Run:
    """Run ``cmd`` to the end; with ``sample``, poll its process tree's RSS every 0.2 s."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, float] = {}
    tree_peak = [0.0]

    def poll() -> None:
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while proc.poll() is None:
            total = 0.0
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for member in members:
                try:
                    rss = member.memory_info().rss / MB
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                peaks[member.pid] = max(peaks.get(member.pid, 0.0), rss)
                total += rss
            tree_peak[0] = max(tree_peak[0], total)
            time.sleep(0.2)

    thread = threading.Thread(target=poll, daemon=True)
    if sample:
        thread.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    if sample:
        thread.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    lines = err.strip().splitlines()
    children = {pid: mb for pid, mb in peaks.items() if pid != proc.pid}
    return Run(seconds, peaks.get(proc.pid, 0.0), children, tree_peak[0],
               lines[-1] if lines else "")


def best_of(cmd: list[str], times: int = 3) -> float:
    """Shortest wall time of ``times`` new processes running ``cmd``."""
    return min(run_process(cmd, sample=False).seconds for _ in range(times))


def score(source: Path, out: Path, workers: int, *extra: str) -> Run:
    """``vnmisinfo score SOURCE -o OUT --workers N`` as a whole process."""
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    run = run_process([str(VNMISINFO), "score", str(source), "-o", str(out),
                       "--workers", str(workers), *extra])
    log(f"  score {source.name} --workers {workers} {' '.join(extra)}: {run.seconds:.1f} s, "
        f"main {run.main_mb:.0f} MB, largest child {run.worker_mb:.0f} MB, "
        f"tree {run.tree_mb:.0f} MB ({len(run.child_mb)} children)\n    {run.tail}")
    return run


# --- the naive loop (run in a process of its own) ----------------------------------------


def naive_loop(source: Path, sample: int) -> None:
    """Fit the hand-written baseline, time it on ``sample`` posts (0: all); print the rate."""
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from underthesea import word_tokenize

    train = pd.read_csv(REINTEL / "train.csv", dtype={"post_message": str},
                        keep_default_na=False)
    started = time.perf_counter()
    texts = [word_tokenize(t, format="text") for t in train["post_message"]]
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000))
    model.fit(texts, train["label"].astype(int))
    fit_seconds = time.perf_counter() - started
    posts = pd.read_csv(source, dtype=str, keep_default_na=False)["text"].tolist()
    posts = posts[:sample] if sample > 0 else posts
    model.predict_proba([word_tokenize(posts[0], format="text")])  # warm up
    started = time.perf_counter()
    for post in posts:
        model.predict_proba([word_tokenize(post, format="text")])
    seconds = time.perf_counter() - started
    print(json.dumps({"posts": len(posts), "seconds": seconds, "fit_seconds": fit_seconds}))


def naive_rate(source: Path, sample: int) -> tuple[float, int]:
    """Posts per second of the naive loop in a new process, and the posts it was timed on."""
    cmd = [sys.executable, __file__, "--naive-worker", str(source),
           "--naive-sample", str(sample)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the naive loop failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"  naive loop: {figures['posts']} posts in {figures['seconds']:.1f} s "
        f"(fit {figures['fit_seconds']:.1f} s, not timed)")
    return figures["posts"] / figures["seconds"], figures["posts"]


# --- report ------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cv_auc(model: Path) -> str:
    """"with metadata / text alone" grouped-CV ROC-AUC from a model file's training report."""
    from vnmisinfo.model.persist import read_metadata

    cv = read_metadata(model).get("cv_metrics") or {}
    parts = [block.get("roc_auc", {}).get("mean") for block in (cv, cv.get("text_only", {}))]
    return " / ".join("–" if v is None else f"{v:.4f}" for v in parts)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 2,000 posts, a 20,000-row big file, no million")
    p.add_argument("--big", type=int, default=None, metavar="N",
                   help="rows of the big file (default: 100,000; 20,000 with --quick)")
    p.add_argument("--million", action="store_true",
                   help="also peak RSS of --workers 1 on 1,000,000 distinct rows (long)")
    p.add_argument("--no-dask", action="store_true", help="skip the Dask goal")
    p.add_argument("--naive-sample", type=int, default=0, metavar="N",
                   help="time the naive loop on the first N posts only and extrapolate "
                   "(default: 0, every post of the file)")
    p.add_argument("--naive-worker", type=Path, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.naive_worker is not None:
        naive_loop(args.naive_worker, args.naive_sample)
        return
    if not VNMISINFO.exists():
        sys.exit(f"{VNMISINFO} not found: install the package (pip install -e .) in this "
                 "environment first.")
    big_rows = args.big or (20_000 if args.quick else 100_000)
    million = args.million and not args.quick
    command = shlex.join(["python", "benchmarks/bench_engine.py", *sys.argv[1:]])
    load = os.getloadavg()[0]
    log(f"{command}\nload average at start: {load:.2f} on {os.cpu_count()} cores")

    from vnmisinfo.model.persist import default_model_path, shipped_model_path

    tmp = Path(tempfile.mkdtemp(prefix="vnmisinfo-engine-"))
    # a benchmark stopped with SIGTERM still removes its generated files
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        base = distinct_posts()
        if args.quick:
            base = base[:2000]
        distinct = write_posts(tmp / "distinct.csv", base, len(base))
        n = len(base)
        log(f"distinct-post file: {n:,} posts; big file: {big_rows:,} rows")

        log("naive loop ...")
        naive, naive_posts = naive_rate(distinct, args.naive_sample)
        naive_seconds = n / naive

        log("vnmisinfo score ...")
        two = score(distinct, tmp / "out.csv", 2)
        one = score(distinct, tmp / "out.csv", 1)
        log("speed frontier ...")
        shipped, fast = cv_auc(default_model_path()), cv_auc(shipped_model_path("fast"))
        # (settings, ROC-AUC of its model, what it gives up, run)
        frontier = [
            ("everything on (the goal row)", shipped, "nothing (the default)", two),
            ("--no-match", shipped, "the tier lift from known narratives",
             score(distinct, tmp / "out.csv", 2, "--no-match")),
            ("--no-match --explain 0", shipped,
             "known narratives and the terms that drove each score",
             score(distinct, tmp / "out.csv", 2, "--no-match", "--explain", "0")),
            ("`--fast` (the shipped fast model, `--no-match --explain 0`)", fast,
             "known narratives, terms, and the character n-grams' quality",
             score(distinct, tmp / "out.csv", 2, "--fast")),
        ]

        log("start-up ...")
        baseline_import = best_of([sys.executable, "-c", BASELINE_IMPORT])
        first_score = best_of([sys.executable, "-c", FIRST_SCORE])
        log(f"  baseline import {baseline_import:.2f} s; import + load + first score "
            f"{first_score:.2f} s")

        model_mb = os.path.getsize(default_model_path()) / MB
        log(f"model file: {model_mb:.2f} MB")

        log("training ...")
        train = run_process([str(VNMISINFO), "train", "--preset", "default", "--cv", "0",
                             "-o", str(tmp / "m.skops")], sample=False)
        log(f"  {train.seconds:.1f} s")

        log("flat memory ...")
        big = write_posts(tmp / "big.csv", base, big_rows)
        one_big = score(big, tmp / "out.csv", 1)

        dask_two = dask_one = None
        if not args.no_dask:
            log("dask ...")
            dask_two = score(big, tmp / "dask_out", 2, "--engine", "dask")
            dask_one = score(big, tmp / "dask_out", 1, "--engine", "dask")

        one_million = None
        if million:
            big.unlink()
            huge = write_posts(tmp / "million.csv", base, 1_000_000)
            one_million = score(huge, tmp / "out.csv", 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    speedup = naive_seconds / two.seconds
    startup = first_score / baseline_import
    flat_runs = [(f"{n:,} rows", one), (f"{big_rows:,} rows", one_big)]
    if one_million is not None:
        flat_runs.append(("1,000,000 rows", one_million))
    peak_one = max(max(r.main_mb, r.worker_mb) for _, r in flat_runs)
    peak_two_workers = two.worker_mb if two.child_mb else two.main_mb
    small_peak = max(one.main_mb, one.worker_mb)
    flat_ok = peak_one <= 1.1 * small_peak  # "flat": at most 10% above the small file's peak
    memory_ok = peak_one <= 450 and peak_two_workers <= 450 and flat_ok
    flat = " → ".join(f"{name}: {max(r.main_mb, r.worker_mb):.0f} MB" for name, r in flat_runs)
    dask_ratio = dask_one.seconds / dask_two.seconds if dask_two and dask_one else None
    load_end = os.getloadavg()[0]

    rows = [
        ("`vnmisinfo score` on the distinct-post file, default model, explanations, narrative "
         "matching and entities on, 2 workers", "≥ 10× the naive loop, in the same run",
         f"{speedup:.1f}× ({two.seconds:.1f} s vs {naive_seconds:.0f} s"
         + (" extrapolated)" if naive_posts < n else ")"),
         verdict(speedup >= 10)),
        ("`import vnmisinfo` + load + first score, new process",
         "≤ 2× the wall time of `python -c \"import pandas, scipy.sparse, sklearn.linear_model\"`",
         f"{startup:.2f}× ({first_score:.2f} s vs {baseline_import:.2f} s)",
         verdict(startup <= 2)),
        ("peak RSS of `--workers 1`, and of each worker",
         f"≤ 450 MB, flat from {n:,} to {1_000_000 if million else big_rows:,} distinct rows",
         f"--workers 1: {flat}; " + (
             f"2 workers: main {two.main_mb:.0f} MB, each worker ≤ {peak_two_workers:.0f} MB"
             if two.child_mb else f"2 workers: one chunk, scored in the main process, "
             f"{two.main_mb:.0f} MB"),
         verdict(memory_ok)),
        ("the whole process tree with 2 workers (sum of RSS)", "≤ 1 GB",
         f"{two.tree_mb:.0f} MB", verdict(two.tree_mb <= 1024)),
        ("shipped model file", "≤ 20 MB", f"{model_mb:.1f} MB", verdict(model_mb <= 20)),
        ("training the default model (one fit, no CV report) from ../shared/corpora", "≤ 60 s",
         f"{train.seconds:.1f} s", verdict(train.seconds <= 60)),
        (f"Dask, 2 local workers vs 1, on {big_rows:,} distinct rows", "≥ 1.7×",
         "skipped (--no-dask)" if dask_ratio is None or dask_one is None or dask_two is None
         else f"{dask_ratio:.2f}× ({dask_one.seconds:.1f} s vs {dask_two.seconds:.1f} s)",
         verdict(None if dask_ratio is None else dask_ratio >= 1.7)),
    ]
    print(f"Command: `{command}`")
    print(f"Date: {dt.date.today().isoformat()}; {platform.node() or 'host'}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}; load average "
          f"{load:.2f} at start, {load_end:.2f} at end")
    print()
    print("| goal | target | measured | met? |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Raw figures (seconds are wall time of a whole new process; RSS peaks in MB, "
          "sampled every 0.2 s):")
    print()
    print(f"- distinct-post file: {n:,} posts; big file: {big_rows:,} rows")
    print(f"- naive loop: {naive:.1f} posts/s, " + (
        f"timed on the first {naive_posts} posts and extrapolated to {n:,} posts: "
        if naive_posts < n else f"timed on all {n:,} posts: ") + f"{naive_seconds:.0f} s")
    for label, run, rows_in in [("score --workers 2, distinct", two, n),
                                ("score --workers 1, distinct", one, n),
                                (f"score --workers 1, {big_rows:,} rows", one_big, big_rows),
                                ("score --workers 1, 1,000,000 rows", one_million, 1_000_000),
                                (f"dask --workers 2, {big_rows:,} rows", dask_two, big_rows),
                                (f"dask --workers 1, {big_rows:,} rows", dask_one, big_rows)]:
        if run is None:
            continue
        children = ", ".join(f"{mb:.0f}" for mb in sorted(run.child_mb.values(), reverse=True))
        print(f"- {label}: {run.seconds:.1f} s ({rows_in / run.seconds:.1f} rows/s); "
              f"main {run.main_mb:.0f}, children [{children}], tree {run.tree_mb:.0f}")
    print(f"- start-up, best of 3: baseline import {baseline_import:.2f} s, "
          f"import + load + first score {first_score:.2f} s")
    print(f"- model file: {default_model_path().name}, {model_mb:.2f} MB")
    print(f"- training (vnmisinfo train --preset default --cv 0): {train.seconds:.1f} s")
    print()
    print("Speed frontier: `vnmisinfo score` with 2 workers on the distinct-post file, against "
          "the naive loop of the same run; ROC-AUC is the model's grouped 5-fold CV on ReINTEL "
          "(with metadata / text alone) from its training report, and what each row gives up "
          "is said beside it:")
    print()
    print("| settings | ROC-AUC | gives up | seconds | vs the naive loop |")
    print("|---|---|---|---|---|")
    for name, auc, lost, run in frontier:
        print(f"| {name} | {auc} | {lost} | {run.seconds:.1f} | "
              f"{naive_seconds / run.seconds:.1f}× |")


if __name__ == "__main__":
    main()
