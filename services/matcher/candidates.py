"""Which feasible pairs the assignment sees: all of them, or a certified top-k both ways.

When the feasible pairs are few enough (`exact_pair_limit`), all of them go to the
assignment with what their check computed, and the result is the exact optimum. Beyond
that, each pair is reduced on arrival to a one-byte pre-score level (the score without
the text component, plus the waiting bonus; `prescore.py`), and the candidates are each
mentee's best `top_k` mentors and each mentor's best `mentor_top_k` mentees (MATCHING.md:
the mentee side alone lets popular mentors crowd the others out; `mentor_depth`), grown by the cut
certificate of `assignment.certify_coverage` so that the coverage is still the true
maximum. The pairs stay in their chunks throughout: all of them are never copied at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from services.matcher.assignment import certify_coverage
from services.matcher.encoding import EncodedProblem
from services.matcher.feasibility import PairChunk, overlap_slots
from services.matcher.learned import LearnedModel
from services.matcher.prescore import LEVELS, ModelPrescorer, Prescorer
from services.matcher.scoring import Weights, reach_km

_FLUSH = 1 << 22  # codes buffered before one bincount of a histogram
_COALESCE = 1 << 16  # pairs: smaller chunks are pre-scored together


@dataclass
class Candidates:
    """The pairs the assignment sees, and what the whole feasible set told about them."""

    pairs: PairChunk  # slots and reach are those of the check, or recomputed
    n_feasible: int
    feasible_per_mentee: np.ndarray  # int64 count of feasible mentors of each mentee
    max_flow: int | None  # the certified maximum coverage when pruned, None when exact


# A mentor's list holds this share of its feasible mentees (on average over the mentors
# with room), within these bounds. A mentor sees many more mentees than a mentee sees
# mentors, and more as the population grows: measured on the synthetic populations
# (benchmarks/README.md), 5% keeps 99.96% of the exact score at 10,000 x 2,000 (depth 25,
# 106,044 candidates) and 99.95% at 100,000 x 20,000 (depth about 150, 3.4 million),
# where 50 both ways needed 5.4 million candidates for 99.96%.
MENTOR_SHARE = 0.05
MENTOR_DEPTH = (25, 200)


def mentor_depth(n_pairs: int, n_mentors: int, given: int | None = None) -> int:
    """How many of its best mentees each mentor's candidate list keeps."""
    if given is not None:
        return given
    low, high = MENTOR_DEPTH
    return int(min(high, max(low, np.ceil(MENTOR_SHARE * n_pairs / max(1, n_mentors)))))


class _Histogram:
    """Per-group counts of pre-score levels, added a chunk at a time.

    With `shift`, levels are counted `2**shift` to a bin: fewer bins keep a histogram of
    many groups small enough for the cache, at the price of ties (kept) at the threshold.
    Counts are stored bin-major, so that summing over bins is a few long vector additions.
    """

    def __init__(self, n_groups: int, shift: int = 0) -> None:
        self.shift = shift
        self.bins = LEVELS >> shift
        self.n_groups = n_groups
        self.counts = np.zeros((self.bins, n_groups), dtype=np.int32)
        self._codes: list[np.ndarray] = []
        self._buffered = 0

    def add_block(self, rows: np.ndarray, local: np.ndarray, levels: np.ndarray) -> None:
        """Pairs of one block of distinct rows: a small histogram, added row by row."""
        codes = (levels >> self.shift).astype(np.int64) * len(rows) + local
        block = np.bincount(codes, minlength=self.bins * len(rows))
        self.counts[:, rows] += block.reshape(self.bins, len(rows)).astype(np.int32)

    def add(self, group: np.ndarray, levels: np.ndarray) -> None:
        """Pairs of any groups: buffered, then counted in one pass."""
        self._codes.append((levels >> self.shift).astype(np.int64) * self.n_groups + group)
        self._buffered += len(group)
        if self._buffered >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        """Count the buffered pairs."""
        if self._codes:
            flat = self.counts.reshape(-1)
            flat += np.bincount(np.concatenate(self._codes), minlength=flat.size).astype(np.int32)
            self._codes, self._buffered = [], 0

    def keep(self, k: int) -> np.ndarray:
        """Each group's lowest kept level: that of its k-th best pair (0 with fewer pairs)."""
        self.flush()
        at_or_above = self.counts[::-1].copy()  # row t, once summed: pairs in bins >= bins-1-t
        np.cumsum(at_or_above, axis=0, out=at_or_above)
        short = np.count_nonzero(at_or_above < k, axis=0)  # top bins before k pairs are seen
        top = np.where(short < self.bins, self.bins - 1 - short, 0)
        return (top << self.shift).astype(np.uint8)


class _Taken:
    """The feasible pairs taken so far: whole while the run may still be exact, and all of
    them reduced to (i, j, pre-score level), with both sides' histograms of levels."""

    def __init__(
        self, encoded: EncodedProblem, weights: Weights, model: LearnedModel | None = None
    ) -> None:
        self.prescorer: Prescorer | ModelPrescorer = (
            Prescorer(encoded, weights)
            if model is None
            else ModelPrescorer(encoded, weights, model)
        )
        self.by_mentee = _Histogram(encoded.mentees.n)
        self.by_mentor = _Histogram(encoded.mentors.n, shift=2)
        self.per_mentee = np.zeros(encoded.mentees.n, dtype=np.int64)
        self.whole: list[PairChunk] = []
        self.pending: list[PairChunk] = []
        self.pending_pairs = 0
        self.reduced: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.total = 0

    def take(self, chunk: PairChunk, exact_pair_limit: int) -> None:
        """Count, pre-score and keep one chunk."""
        self.total += len(chunk)
        self.per_mentee += np.bincount(chunk.i, minlength=len(self.per_mentee))
        if self.total <= exact_pair_limit:  # the run may still be solved exactly
            self.whole.append(chunk)
            return
        if self.whole:  # the limit was just passed: what was kept is reduced too
            self.pending.extend(self.whole)
            self.whole = []
        if len(chunk) >= _COALESCE:
            self._reduce(chunk)
            return
        # Small chunks (a small key group, a few mentees near each other) are pre-scored
        # together: numpy's cost per call would otherwise outweigh the work.
        self.pending.append(chunk)
        self.pending_pairs += len(chunk)
        if self.pending_pairs >= _COALESCE:
            self.finish()

    def finish(self) -> None:
        """Pre-score what is still pending."""
        if self.pending:
            self._reduce(_concatenate(self.pending))
            self.pending, self.pending_pairs = [], 0

    def _reduce(self, chunk: PairChunk) -> None:
        levels = self.prescorer.levels(chunk)
        rows = chunk.rows
        # A block histogram costs its rows x bins cells: worth it for dense blocks only.
        if rows is not None and chunk.local is not None and len(chunk) >= len(rows) * 16:
            self.by_mentee.add_block(rows, chunk.local, levels)
        else:
            self.by_mentee.add(chunk.i, levels)
        self.by_mentor.add(chunk.j, levels)
        self.reduced.append((chunk.i, chunk.j, levels))


def collect(
    encoded: EncodedProblem,
    chunks: Iterable[PairChunk],
    weights: Weights,
    *,
    exact_pair_limit: int,
    top_k: int,
    mentor_top_k: int | None,
    progress: Callable[[str], None] | None = None,
    model: LearnedModel | None = None,
) -> Candidates:
    """Take the feasible pairs and choose the candidates (see the module docstring)."""
    n_e, n_r = encoded.mentees.n, encoded.mentors.n
    taken = _Taken(encoded, weights, model)
    for chunk in chunks:
        taken.take(chunk, exact_pair_limit)
    taken.finish()
    total, per_mentee = taken.total, taken.per_mentee
    if total <= exact_pair_limit:
        return Candidates(_concatenate(taken.whole), total, per_mentee, None)
    depth = mentor_depth(total, int((encoded.mentors.remaining > 0).sum()), mentor_top_k)
    mentee_at, mentor_at = taken.by_mentee.keep(top_k), taken.by_mentor.keep(depth)
    stored = taken.reduced
    del taken  # the histograms (100 MiB at 100,000 mentees) go before the certificate
    masked = [
        (i, j, (levels >= mentee_at[i]) | (levels >= mentor_at[j])) for i, j, levels in stored
    ]
    del stored
    flow = certify_coverage(n_e, n_r, masked, encoded.mentors.remaining)
    i = np.concatenate([i[m] for i, _, m in masked])
    j = np.concatenate([j[m] for _, j, m in masked])
    del masked
    if progress:
        progress("candidates")
    e, r = encoded.mentees, encoded.mentors
    pairs = PairChunk(i, j, overlap_slots(e.schedule[i], r.schedule[j]), reach_km(encoded, i, j))
    return Candidates(pairs, total, per_mentee, flow)


def _concatenate(chunks: list[PairChunk]) -> PairChunk:
    if not chunks:
        empty = np.zeros(0, dtype=np.int32)
        return PairChunk(empty, empty, np.zeros(0, dtype=np.int16), np.zeros(0))
    return PairChunk(
        np.concatenate([c.i for c in chunks]),
        np.concatenate([c.j for c in chunks]),
        np.concatenate([c.slots for c in chunks]),
        np.concatenate([c.reach_km for c in chunks]),
    )
