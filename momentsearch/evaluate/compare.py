"""Whether a difference in retrieval quality is real: intervals over queries and paired comparisons.

A benchmark of a few hundred queries measures R1@0.5 to about +-0.05, and a condition of 20 queries
to about +-0.2: a change of 0.02 on one split is as likely noise as not. So every mean comes with a
percentile bootstrap interval (the queries resampled with replacement, `SAMPLES` times, seeded: the
same input gives the same interval), and two runs over the same queries are compared *paired*: per
query the difference, its mean with a bootstrap interval, how many queries each run alone got right,
and for a right/wrong metric McNemar's exact test on those (`p`: the chance of a split at least this
uneven between the two if neither run were better).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LEVEL = 0.95
SAMPLES = 2000


def interval(values, level: float = LEVEL, samples: int = SAMPLES, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of `values` (one number per query); (nan, nan) for none."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(samples, x.size))].mean(axis=1)
    tail = (1.0 - level) / 2 * 100
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return float(lo), float(hi)


def mcnemar_p(gained: int, lost: int) -> float:
    """Two-sided exact McNemar test: the chance of a gained/lost split at least this uneven under a fair coin."""
    n = gained + lost
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(gained, lost) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


@dataclass
class Comparison:
    """`after` against `before` over the same `n` queries for one metric."""

    metric: str
    n: int
    before: float
    after: float
    low: float  # bootstrap interval of the mean paired difference (after - before)
    high: float
    gained: int  # queries better in `after`
    lost: int  # queries worse in `after`
    p: float  # McNemar's exact test on gained / lost (metrics that are 0 or 1 per query; nan otherwise)

    @property
    def difference(self) -> float:
        return self.after - self.before

    @property
    def clear(self) -> bool:
        """The interval leaves out 0: more than noise at this level."""
        return self.low > 0 or self.high < 0

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("metric", "n", "before", "after", "difference", "low", "high",
                                             "gained", "lost", "p", "clear")}
        return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in out.items()}


def compare(before: dict, after: dict, metric: str = "R1@0.5") -> Comparison:
    """Paired comparison of two runs' per-query values (qid -> value) over the qids both have."""
    qids = [q for q in before if q in after]
    a = np.array([before[q] for q in qids], dtype=np.float64)
    b = np.array([after[q] for q in qids], dtype=np.float64)
    low, high = interval(b - a)
    binary = bool(np.isin(np.concatenate([a, b]), (0.0, 1.0)).all())
    gained, lost = int((b > a).sum()), int((b < a).sum())
    return Comparison(metric, len(qids), float(a.mean()) if qids else float("nan"),
                      float(b.mean()) if qids else float("nan"), low, high, gained, lost,
                      mcnemar_p(gained, lost) if binary else float("nan"))


def per_query(report, metric: str, query_type: str | None = None) -> dict:
    """qid -> value of `metric` from an EvalReport's per-query results (one type, or every counted one)."""
    return {r.qid: r.values[metric] for r in report.per_query
            if (r.type == query_type if query_type is not None else r.type not in report.unmeasurable)}


def compare_reports(before, after, metrics=("R1@0.5", "R1@0.7", "mAP")) -> list[tuple[str, Comparison]]:
    """(row name, Comparison) for each metric overall, then R1@0.5 per query type both reports measured."""
    rows = [("overall", compare(per_query(before, m), per_query(after, m), m)) for m in metrics]
    for t in sorted(set(before.by_type) & set(after.by_type)):
        rows.append((t, compare(per_query(before, "R1@0.5", t), per_query(after, "R1@0.5", t))))
    return rows


def format_comparison(rows: list[tuple[str, Comparison]], before_name: str, after_name: str) -> str:
    """A Markdown table of `compare_reports` rows."""
    lines = [f"**{after_name} against {before_name}** (paired over the same queries; "
             f"{LEVEL:.0%} bootstrap interval of the difference)", "",
             f"| queries | metric | n | {before_name} | {after_name} | difference | interval | gained / lost | McNemar p |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, c in rows:
        p = "-" if math.isnan(c.p) else f"{c.p:.3f}"
        mark = " (clear)" if c.clear else ""
        lines.append(f"| {name} | {c.metric} | {c.n} | {c.before:.3f} | {c.after:.3f} | {c.difference:+.3f}{mark} | "
                     f"{c.low:+.3f} .. {c.high:+.3f} | {c.gained} / {c.lost} | {p} |")
    return "\n".join(lines)
