"""Question-routing quality on real Stack Exchange histories; prints a JSON summary.

    .venv/bin/python benchmarks/routing_quality.py [--goal 1.3] [--split test|dev] [--out FILE] [FILES...]

Same protocol as the reference ``../shared/tools/routing_eval.py`` (reimplemented here so the
benchmark runs on its own, and checked to give the same baseline numbers): per site, labelled
questions (accepted answerer != asker) are split 80/20 by time; members' offers are the tags of
the questions they answered before the cut (weights = answer counts), recent_activity = their
answers in the 30 days before the cut; the earlier answers go to ``Engine.learn`` as feedback;
each later question is routed (tags + title, asker excluded, k=100) and scored where its accepted
answerer lands (MRR@100, P@1, Hit@10) against the better of a popularity and a tag-count baseline.

``--split dev`` applies the same protocol to the training period only (its last 20% become the
evaluation questions), so the engine can be tuned without looking at the test questions.

Data: "<site> community, Stack Exchange Data Dump" (cardano, beer and coffee), licensed CC BY-SA
(2.5/3.0/4.0 by post date); see each site's SOURCE.txt. Results derived from them carry the same
attribution and licence.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from serendip.matching import Engine, Feedback, Profile  # noqa: E402  (after the sys.path line)

K = 100
DEFAULT_FILES = sorted((ROOT.parent / "shared" / "data" / "stackexchange").glob("*/questions.jsonl"))
ATTRIBUTION = "{site} community, Stack Exchange Data Dump (CC BY-SA)"


def read(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.open()]
    rows.sort(key=lambda r: r["created"])
    return rows


def split(rows: list[dict]) -> tuple[list[dict], list[dict], str]:
    """Earlier rows (all of them, labelled or not) and the later labelled test questions."""
    lab = [r for r in rows if r["accepted_answerer"] and r["accepted_answerer"] != r["asker"]]
    cut_time = lab[int(len(lab) * 0.8)]["created"]
    train = [r for r in rows if r["created"] < cut_time]
    test = [r for r in lab if r["created"] >= cut_time]
    return train, test, cut_time


def network(train: list[dict], cut_time: str):
    """Offers, recent activity and feedback exactly as the reference builds them."""
    offers: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    recent: collections.Counter = collections.Counter()
    cut = datetime.datetime.fromisoformat(cut_time)
    for r in train:
        for a in r["answers"]:
            if a["user"] and a["created"] < cut_time:
                for t in r["tags"]:
                    offers[a["user"]][t] += 1
                offers[a["user"]]  # members with untagged answers still count
                if (cut - datetime.datetime.fromisoformat(a["created"])).days < 30:
                    recent[a["user"]] += 1
    feedback = []
    for r in train:
        for a in r["answers"]:
            if a["user"] and a["created"] < cut_time:
                feedback.append(
                    dict(
                        kind="answer_given",
                        member=a["user"],
                        other=r["asker"],
                        tags=r["tags"],
                        text=r["title"],
                    )
                )
        acc = r["accepted_answerer"]
        if acc and any(a["user"] == acc and a["created"] < cut_time for a in r["answers"]):
            feedback.append(
                dict(kind="answer_accepted", member=acc, other=r["asker"], tags=r["tags"], text=r["title"])
            )
    return offers, recent, feedback


def reciprocal_rank(ranked_ids: list[str], target: str) -> tuple[float, bool, bool]:
    rank = ranked_ids.index(target) + 1 if target in ranked_ids else None
    return (1 / rank if rank else 0.0, rank == 1, bool(rank and rank <= 10))


def baseline(offers, q: dict, kind: str) -> tuple[float, bool, bool]:
    """Popularity, or tag-count with popularity breaking ties; remaining ties ranked pessimistically."""
    cand = [u for u in offers if u != q["asker"]]
    pop = {u: sum(offers[u].values()) for u in cand}
    if kind == "popularity":
        s = {u: (pop[u],) for u in cand}
    else:
        s = {u: (sum(offers[u][t] for t in q["tags"]), pop[u]) for u in cand}
    tgt = q["accepted_answerer"]
    if tgt not in s:
        return 0.0, False, False
    rank = 1 + sum(1 for u in cand if u != tgt and s[u] >= s[tgt])
    return (1 / rank if rank <= K else 0.0, rank == 1, rank <= 10)


def evaluate(path: Path, split_name: str) -> dict:
    rows = read(path)
    train, test, cut_time = split(rows)
    if split_name == "dev":
        train, test, cut_time = split(train)
    offers, recent, feedback = network(train, cut_time)
    profiles = [
        Profile(id=u, offers=dict(c) if c else [], needs=[], interests=[], recent_activity=float(recent[u]))
        for u, c in sorted(offers.items())
    ]
    t0 = time.perf_counter()
    engine = Engine.build(profiles)
    engine.learn([Feedback(**e) for e in feedback])
    build_s = time.perf_counter() - t0
    sums = {"engine": [0.0, 0, 0], "popularity": [0.0, 0, 0], "tags": [0.0, 0, 0]}
    route_ms = []
    for q in test:
        t = time.perf_counter()
        got = engine.route(
            tags=q["tags"], text=q["title"], k=K, exclude={q["asker"]} if q["asker"] else set()
        )
        route_ms.append((time.perf_counter() - t) * 1000)
        for name, v in (
            ("engine", reciprocal_rank([m.id for m in got], q["accepted_answerer"])),
            ("popularity", baseline(offers, q, "popularity")),
            ("tags", baseline(offers, q, "tags")),
        ):
            for i in range(3):
                sums[name][i] += v[i]
    n = len(test)
    best = max(sums["popularity"], sums["tags"])  # as the reference: the better baseline by MRR
    site = path.parent.name if path.stem == "questions" else path.stem

    def metrics(acc: list) -> dict:
        return {"MRR": round(acc[0] / n, 4), "P@1": round(acc[1] / n, 4), "Hit@10": round(acc[2] / n, 4)}

    result = {
        "site": site,
        "split": split_name,
        "test": n,
        "members": len(profiles),
        "targets_known": sum(1 for q in test if q["accepted_answerer"] in offers),
        "build_and_learn_s": round(build_s, 3),
        "route_ms_median": round(sorted(route_ms)[len(route_ms) // 2], 3) if route_ms else None,
        "engine": metrics(sums["engine"]),
        "baseline": metrics(best),
        "popularity": metrics(sums["popularity"]),
        "tag_count": metrics(sums["tags"]),
        "attribution": ATTRIBUTION.format(site=site),
    }
    result["ratio"] = round(result["engine"]["MRR"] / max(result["baseline"]["MRR"], 1e-9), 3)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--goal", type=float, default=1.3)
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sites = [evaluate(f, args.split) for f in args.files]
    for s in sites:
        print(json.dumps(s), file=sys.stderr)
    ratios = [s["ratio"] for s in sites]
    gmean = math.exp(sum(math.log(max(r, 1e-9)) for r in ratios) / len(ratios))
    summary = {
        "benchmark": "routing_quality",
        "split": args.split,
        "sites": sites,
        "geometric_mean_ratio": round(gmean, 3),
        "worst_ratio": min(ratios),
        "goal": {"geometric_mean_ratio": args.goal, "worst_ratio": 1.0},
        "goal_met": gmean >= args.goal and min(ratios) >= 1.0,
        "data": "Stack Exchange Data Dump, CC BY-SA; attribution per site above",
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if summary["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
