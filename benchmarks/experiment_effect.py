"""The hold-out experiment's analysis: is it right, and is it fast enough at seed scale?

    .venv/bin/python benchmarks/experiment_effect.py [--networks 200]
        [--database-url sqlite:///var/h18/seed.sqlite3 [--simulate] [--scale seed] [--effect 0.25]]
        [--runs 3] [--json out.json]

1. Validation on synthetic networks (the pure simulation of outcomes in
   `serendip/experiments/synthetic.py`, no database): over `--networks` networks with a known
   effect (x1.3) and with none, how often the 95 % intervals cover the truth and how often the
   difference is called significant.
2. With `--database-url`: (with `--simulate`, first `serendip migrate` and `serendip simulate`
   into that database, which must be empty, at `--scale` with `--effect`); then
   `experiment_analyse` on the simulated experiment, `--runs` times (median wall time), and
   each outcome's rates, difference and ratio with their intervals. The simulator's true effect
   on introductions requested (and accepted) per member-day is a ratio of 1 + effect.

Readable lines go to stderr, the results as JSON to stdout (`run_all.py` reads them).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def validation(networks: int) -> dict:
    from serendip.experiments import synthetic

    out = {}
    for effect in (0.3, 0.0):
        t0 = time.perf_counter()
        check = synthetic.check(networks=networks, effect=effect)
        check["seconds"] = round(time.perf_counter() - t0, 1)
        out[f"effect_{effect}"] = check
        print(f"synthetic, effect {effect}: {check}", file=sys.stderr, flush=True)
    return out


def simulate(database_url: str, scale: str, effect: float, seed: int) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "benchmark-only", "DEBUG": "false"}
    serendip = str(ROOT / ".venv" / "bin" / "serendip")
    subprocess.run([serendip, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    t0 = time.perf_counter()
    done = subprocess.run(
        [serendip, "simulate", "--scale", scale, "--effect", str(effect), "--seed", str(seed), "--json"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    summary = json.loads(done.stdout)
    summary["wall_seconds"] = round(time.perf_counter() - t0, 1)
    print(f"simulated in {summary['wall_seconds']} s", file=sys.stderr, flush=True)
    return summary


def analyse(database_url: str, runs: int) -> dict:
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY="benchmark-only", DEBUG="false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serendip.settings")
    import django

    django.setup()
    from serendip.experiments.models import Assignment, Experiment
    from serendip.experiments.services import experiment_analyse

    experiment = (
        Experiment.objects.filter(name__startswith="simulated-holdout").order_by("-starts_on").first()
    )
    if experiment is None:
        raise SystemExit("no simulated experiment in this database: run with --simulate")
    arms = Assignment.objects.filter(experiment=experiment)
    members, holdout = arms.count(), arms.filter(arm="holdout").count()
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        stored = experiment_analyse(experiment=experiment, today=experiment.ends_on)
        seconds.append(time.perf_counter() - t0)
    data = stored.data
    print(
        f"analysis of {experiment.name}: median {statistics.median(seconds):.1f} s over {runs} runs "
        f"({', '.join(f'{s:.1f}' for s in seconds)}); {members:,} members assigned, "
        f"{holdout / members:.2%} hold-out",
        file=sys.stderr,
        flush=True,
    )

    def f(x, times=1.0):
        return "-" if x is None else f"{times * x:.3f}"

    for e in data["effects"]:
        r, d = e["ratio_ci"], e["difference_ci"]
        print(
            f"  {e['outcome']}: {f(e['rate_suggested'], 1000)} vs {f(e['rate_holdout'], 1000)} per 1,000 "
            f"member-days; ratio {f(e['ratio'])} ({f(r['low'])} to {f(r['high'])}), difference "
            f"{f(e['difference'], 1000)} ({f(d['low'], 1000)} to {f(d['high'], 1000)}) per 1,000",
            file=sys.stderr,
            flush=True,
        )
    return {
        "experiment": experiment.name,
        "members_assigned": members,
        "holdout_share_assigned": holdout / members,
        "seconds": [round(s, 2) for s in seconds],
        "median_seconds": round(statistics.median(seconds), 2),
        "analysis": data,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--networks", type=int, default=200)
    parser.add_argument("--database-url")
    parser.add_argument("--simulate", action="store_true")
    parser.add_argument("--scale", default="seed")
    parser.add_argument("--effect", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict = {"validation": validation(args.networks) if args.networks else None}
    if args.database_url:
        if args.simulate:
            results["simulation"] = simulate(args.database_url, args.scale, args.effect, args.seed)
            results["effect"] = args.effect
        results["analysis"] = analyse(args.database_url, args.runs)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, default=str))  # for run_all.py; the readable lines went to stderr


if __name__ == "__main__":
    main()
