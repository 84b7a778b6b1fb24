"""Question-routing quality on real Stack Exchange histories, and how each knob was validated;
prints JSON.

    .venv/bin/python benchmarks/routing_quality.py [--loso [--knobs a,b]] [--out FILE] [FILES...]

Default: the reference protocol of ``../shared/tools/routing_eval.py`` (reimplemented here so the
benchmark runs on its own; the same baselines, checked against the reference): per site, labelled
questions (accepted answerer != asker) in time order, rolling origins at 50/60/70/80/90 %; at each
cut the engine is built from the members' answers before it (offers = answered tags with counts,
recent_activity = answers in the 30 days before), learns the earlier answers, and routes the
questions up to the next cut (tags + title, asker excluded, k=100). MRR@100 against two baselines:
classic (better of popularity and tag-count) and recent (recency-decayed activity + shared tags).
Goal: engine/classic geometric mean >= 1.3, engine/recent >= 1.1, no site below 1.0 on either.

``--loso``: leave-one-site-out validation of every knob of the routing score. For each knob, the
others at their defaults, each candidate value is scored on every site; for each site in turn the
value is chosen on the two *other* sites (geometric mean of engine/recent) and reported on the
held-out one. A knob whose held-out choice is the default on every site, or whose held-out ratio
barely depends on the choice, is set by a procedure that does not need the site it is used on.

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

from serendip.matching import Engine, Feedback, Profile, history, routing  # noqa: E402

K = 100
CUTS = (0.5, 0.6, 0.7, 0.8, 0.9)
TAU_DAYS, RECENT_BASE = 60.0, 0.2
DEFAULT_FILES = sorted((ROOT.parent / "shared" / "data" / "stackexchange").glob("*/questions.jsonl"))
ATTRIBUTION = "{site} community, Stack Exchange Data Dump (CC BY-SA)"
# knob -> (module, constant, candidate values); the default is the constant's current value.
KNOBS = {
    "decay_share": (history, "DECAY_SHARE", (0.05, 0.1, 0.15, 0.25, 0.5, 1.0)),
    "activity": (history, "ACTIVITY", (0.1, 0.2, 0.3, 0.5, 1.0)),
    "text": (history, "TEXT", (0.0, 1.0, 2.0, 4.0)),
    "passport": (routing, "PASSPORT", (0.0, 0.1, 0.2, 0.4)),
    "recent": (routing, "RECENT", (0.0, 0.1, 0.3)),
    "learn_decay": (history, "LEARN_DECAY", (False, True)),
}


def when(s: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(s[:19])


def load(path: Path) -> tuple[list[dict], list[dict]]:
    rows = sorted((json.loads(line) for line in path.open()), key=lambda r: r["created"])
    lab = [r for r in rows if r["accepted_answerer"] and r["accepted_answerer"] != r["asker"]]
    return rows, lab


def cut_at(rows: list[dict], lab: list[dict], lo: float, hi: float) -> dict:
    """The network as it stood at the cut, and the questions to route until the next one."""
    cut_time = lab[int(len(lab) * lo)]["created"]
    end_time = lab[int(len(lab) * hi)]["created"] if hi < 1.0 else "9999"
    cut = when(cut_time)
    offers: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    recent: collections.Counter = collections.Counter()
    past, feedback = [], []
    for r in rows:
        if r["created"] >= cut_time:
            break
        for a in r["answers"]:
            if a["user"] and a["created"] < cut_time:
                age = (cut - when(a["created"])).total_seconds() / 86400
                for t in r["tags"]:
                    offers[a["user"]][t] += 1
                offers[a["user"]]  # members with untagged answers still count
                if age < 30:
                    recent[a["user"]] += 1
                past.append((a["user"], r["tags"], age))
                feedback.append(
                    Feedback(
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
                Feedback(
                    kind="answer_accepted", member=acc, other=r["asker"], tags=r["tags"], text=r["title"]
                )
            )
    test = [r for r in lab if cut_time <= r["created"] < end_time]
    profiles = [
        Profile(id=u, offers=dict(c) if c else [], recent_activity=float(recent[u]))
        for u, c in sorted(offers.items())
    ]
    return {"offers": offers, "past": past, "feedback": feedback, "test": test, "profiles": profiles}


def pessimistic(score: dict, q: dict) -> float:
    tgt = q["accepted_answerer"]
    if tgt not in score or tgt == q["asker"]:
        return 0.0
    rank = 1 + sum(1 for u, s in score.items() if u not in (tgt, q["asker"]) and s >= score[tgt])
    return 1 / rank if rank <= K else 0.0


def baselines(c: dict, q: dict) -> tuple[float, float, float]:
    offers = c["offers"]
    pop = {u: sum(v.values()) for u, v in offers.items()}
    tagcount = {u: (sum(offers[u][t] for t in q["tags"]), pop[u]) for u in offers}
    qt, dec = set(q["tags"]), collections.defaultdict(float)
    for u, tags, age in c["past"]:
        dec[u] += math.exp(-age / TAU_DAYS) * (RECENT_BASE + len(qt.intersection(tags)))
    return (
        pessimistic({u: (p,) for u, p in pop.items()}, q),
        pessimistic(tagcount, q),
        pessimistic({u: (dec[u],) for u in offers}, q),
    )


def engine_rr(engine: Engine, q: dict) -> float:
    got = [
        m.id
        for m in engine.route(
            tags=q["tags"], text=q["title"], k=K, exclude={q["asker"]} if q["asker"] else set()
        )
    ]
    return 1 / (got.index(q["accepted_answerer"]) + 1) if q["accepted_answerer"] in got else 0.0


class Site:
    """One site's cuts, with engines built once per learn-time setting and reused."""

    def __init__(self, path: Path):
        self.name = path.parent.name if path.stem == "questions" else path.stem
        rows, lab = load(path)
        self.cuts = [
            cut_at(rows, lab, lo, CUTS[i + 1] if i + 1 < len(CUTS) else 1.0) for i, lo in enumerate(CUTS)
        ]
        self.n = sum(len(c["test"]) for c in self.cuts)
        sums = [0.0, 0.0, 0.0]
        for c in self.cuts:
            for q in c["test"]:
                for i, v in enumerate(baselines(c, q)):
                    sums[i] += v
        self.classic = max(sums[0], sums[1]) / self.n
        self.recent = sums[2] / self.n
        self._engines: dict = {}
        self.build_s = 0.0

    def engines(self) -> list[Engine]:
        key = (history.DECAY_SHARE, history.LEARN_DECAY)  # what learn depends on
        if key not in self._engines:
            built = []
            for c in self.cuts:
                t0 = time.perf_counter()
                e = Engine.build(c["profiles"])
                e.learn(c["feedback"])
                self.build_s = max(self.build_s, time.perf_counter() - t0)
                built.append(e)
            self._engines[key] = built
        return self._engines[key]

    def mrr(self) -> float:
        total = sum(
            engine_rr(e, q) for e, c in zip(self.engines(), self.cuts, strict=True) for q in c["test"]
        )
        return total / self.n


def gmean(xs: list[float]) -> float:
    return math.exp(sum(math.log(max(x, 1e-9)) for x in xs) / len(xs))


def loso(sites: list[Site], knobs: list[str]) -> dict:
    tables = {}
    for knob in knobs:
        module, const, values = KNOBS[knob]
        default = getattr(module, const)
        ratio: dict[float, dict[str, float]] = {}
        try:
            for v in values:
                setattr(module, const, v)
                ratio[v] = {s.name: round(s.mrr() / s.recent, 3) for s in sites}
        finally:
            setattr(module, const, default)
        held_out = {}
        for s in sites:
            others = [o.name for o in sites if o is not s]
            chosen = max(values, key=lambda v: (gmean([ratio[v][o] for o in others]), v == default))
            held_out[s.name] = {"chosen_on_others": chosen, "held_out_ratio_recent": ratio[chosen][s.name]}
        tables[knob] = {
            "default": default,
            "ratio_recent_by_value": {str(v): r for v, r in ratio.items()},
            "loso": held_out,
        }
    return tables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--loso", action="store_true", help="leave-one-site-out table for every knob")
    parser.add_argument("--knobs", default=",".join(KNOBS), help="which knobs --loso checks")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sites = [Site(f) for f in args.files]
    per_site = []
    for s in sites:
        mrr = s.mrr()
        per_site.append(
            {
                "site": s.name,
                "test": s.n,
                "engine_mrr": round(mrr, 4),
                "classic_mrr": round(s.classic, 4),
                "recent_mrr": round(s.recent, 4),
                "ratio_classic": round(mrr / s.classic, 3),
                "ratio_recent": round(mrr / s.recent, 3),
                "build_and_learn_s": round(s.build_s, 3),
                "attribution": ATTRIBUTION.format(site=s.name),
            }
        )
    rc, rr = [p["ratio_classic"] for p in per_site], [p["ratio_recent"] for p in per_site]
    summary = {
        "benchmark": "routing_quality",
        "protocol": "rolling origins " + ",".join(map(str, CUTS)),
        "sites": per_site,
        "gmean_ratio_classic": round(gmean(rc), 3),
        "gmean_ratio_recent": round(gmean(rr), 3),
        "worst_ratio": min(rc + rr),
        "goal": {"gmean_ratio_classic": 1.3, "gmean_ratio_recent": 1.1, "worst_ratio": 1.0},
        "data": "Stack Exchange Data Dump, CC BY-SA; attribution per site above",
    }
    summary["goal_met"] = gmean(rc) >= 1.3 and gmean(rr) >= 1.1 and min(rc + rr) >= 1.0
    if args.loso:
        summary["loso"] = loso(sites, args.knobs.split(","))
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if summary["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
