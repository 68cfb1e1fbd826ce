"""Sentence pickers: the one home of every rule that decides which sentences a summary takes.

Three algorithms, because the three summaries optimise different things:

* `select_sentences`, greedy maximal marginal relevance: per-sentence scores minus a
  redundancy penalty; cheap, order "best first". Follow-up answers use it (an answer is a
  ranked list, not a text read top to bottom).
* `select_readable`, the single-article summary (`news`): the set of exactly k sentences with
  the best total score under the readability rules (`summarizer.readability`): a sentence that
  leans on the one before comes only with it, no two sentences state the same fact. A greedy
  pick cannot honour "only with its antecedent" (the antecedent may score low alone), so for
  k <= 4 the search is exhaustive over a handful of candidate runs.
* `select_coverage`, the story summary: greedy budgeted coverage of weighted concepts (words
  and word pairs), per word of the budget. Several sources repeat each fact, so a sentence's
  worth depends on what the summary already covers, not on a fixed score; the budget is in
  words, so a long sentence must earn its length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from summarizer.readability import SAME_FACT_MIN_SHARED, SAME_FACT_SHARE


def select_sentences(
    scores: Sequence[float],
    similarity: Callable[[int, int], float],
    count: int,
    *,
    redundancy: float,
    duplicate: float,
) -> list[int]:
    """Indices of up to `count` sentences by maximal marginal relevance, in the order picked.

    Each round picks the sentence with the best score minus `redundancy` times its highest
    similarity to a sentence already picked (ties: the earlier sentence); a sentence at least
    `duplicate`-similar to a picked one is never picked (the same fact said twice).
    Similarities are never negative, so candidates are visited best score first and the search
    stops as soon as no later one can win: a handful of similarity computations per pick.
    """
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    overlap: dict[int, tuple[int, float]] = {}  # candidate -> (picks seen, highest similarity)
    while len(chosen) < count:
        best, best_value = -1, float("-inf")
        for i in order:
            if scores[i] < best_value:
                break
            seen, highest = overlap.get(i, (0, 0.0))
            if seen < 0:
                continue  # already chosen, or a near-duplicate of a chosen sentence
            for j in chosen[seen:]:
                highest = max(highest, similarity(i, j))
            if highest >= duplicate:
                overlap[i] = (-1, highest)
                continue
            overlap[i] = (len(chosen), highest)
            value = scores[i] - redundancy * highest
            if value > best_value or (value == best_value and i < best):
                best, best_value = i, value
        if best < 0:
            break  # only near-duplicates are left
        chosen.append(best)
        overlap[best] = (-1, 0.0)
    return chosen


def chain_starts(dependent: Sequence[bool]) -> list[int]:
    """For each sentence, the first sentence of the run it needs: a sentence that leans on the
    previous one needs everything back to the nearest independent sentence."""
    starts: list[int] = []
    for i, leans in enumerate(dependent):
        starts.append(starts[-1] if leans and i > 0 else i)
    return starts


def select_readable(
    scores: Sequence[float],
    count: int,
    *,
    dependent: Sequence[bool],
    pair_tables: Callable[[list[int]], tuple[np.ndarray, np.ndarray]],
    redundancy: float = 0.0,
    heads: int = 7,
) -> list[int]:
    """Indices of `count` sentences in document order: the best total score, minus
    `redundancy` x each chosen pair's similarity, among sets closed under dependency (a chosen
    dependent sentence brings its antecedents) that hold no same-fact pair.

    `pair_tables(candidates)` gives the candidates' (similarity, same-fact) matrices at once.
    Up to 4 sentences: exhaustive over unions of the antecedent runs of the `heads` best
    sentences (at most a few hundred sets). Longer summaries: greedy by run, best mean score.
    When no set qualifies, the lead (the first sentences never leave a gap).
    """
    n = len(scores)
    if count <= 0 or n == 0:
        return []
    if n <= count:
        return list(range(n))
    starts = chain_starts(dependent)
    order = sorted(range(n), key=lambda i: (-scores[i], i))
    exhaustive = count <= 4
    top = order[: max(heads, count)] if exhaustive else order
    candidates = sorted({i for h in top for i in range(starts[h], h + 1)})
    slot = {s: k for k, s in enumerate(candidates)}
    similarity, clash = pair_tables(candidates)
    penalty = (redundancy * similarity).tolist()
    clashes = clash.tolist()
    if exhaustive:
        runs = {h: frozenset(slot[i] for i in range(starts[h], h + 1)) for h in top}
        local = [scores[i] for i in candidates]
        best: list[int] | None = None
        best_value = float("-inf")
        for size in range(1, count + 1):
            for combo in combinations(top, size):
                chosen = runs[combo[0]].union(*(runs[h] for h in combo[1:]))
                if len(chosen) != count:
                    continue
                value = _set_value(sorted(chosen), local, penalty, clashes)
                if value > best_value:
                    best, best_value = sorted(chosen), value
        return [candidates[k] for k in best] if best is not None else list(range(count))
    picked: list[int] = []
    while len(picked) < count:
        room = count - len(picked)
        pick: list[int] | None = None
        pick_value = float("-inf")
        for head in order:
            if head in picked:
                continue
            run = [slot[i] for i in range(starts[head], head + 1) if slot[i] not in picked]
            if len(run) > room or any(clashes[a][b] for a in run for b in picked):
                continue
            worst = max((penalty[a][b] for a in run for b in picked), default=0.0)
            value = sum(scores[candidates[a]] for a in run) / len(run) - worst
            if value > pick_value:
                pick, pick_value = run, value
        if pick is None:
            break
        picked.extend(pick)
    chosen_indices = sorted(candidates[k] for k in picked)
    if len(chosen_indices) < count:  # fill from the top, rules aside, rather than fall short
        rest = [i for i in order if i not in chosen_indices][: count - len(chosen_indices)]
        chosen_indices = sorted(chosen_indices + rest)
    return chosen_indices


def _set_value(
    chosen: Sequence[int],
    scores: Sequence[float],
    penalty: Sequence[Sequence[float]],
    clashes: Sequence[Sequence[bool]],
) -> float:
    value = 0.0
    for k, a in enumerate(chosen):
        value += scores[a]
        row, clash_row = penalty[a], clashes[a]
        for b in chosen[k + 1 :]:
            if clash_row[b]:
                return float("-inf")
            value -= row[b]
    return value


def same_fact_matrix(shared: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """`readability.same_fact` for every pair at once, from the counts of shared terms and each
    sentence's number of distinct terms."""
    smaller = np.minimum(sizes[:, None], sizes[None, :])
    return (shared >= SAME_FACT_MIN_SHARED) & (shared >= SAME_FACT_SHARE * smaller) & (smaller > 0)


@dataclass(slots=True)
class CoverageProblem:
    """What `select_coverage` chooses from.

    Units are what can be chosen: one sentence, or a dependent sentence with the sentence(s) it
    leans on (`members`, in article order). Incidences are flat (sentence, id) pairs.
    """

    units: Sequence[Sequence[int]]
    prior: np.ndarray  # per unit: a factor on its gain (early sentences count more)
    lead: np.ndarray  # per unit: starts with its article's first sentence
    words: np.ndarray  # per sentence: its length in words
    concept_sentence: np.ndarray
    concept: np.ndarray
    weights: np.ndarray  # per concept
    term_sentence: np.ndarray  # distinct content terms, for the same-fact rule
    term: np.ndarray


def select_coverage(
    problem: CoverageProblem,
    *,
    words: int | None,
    count: int | None,
    cost_power: float = 0.5,
    lead_first: bool = True,
    overflow: bool = False,
) -> list[int]:
    """Greedy budgeted coverage: repeatedly the unit adding the most not-yet-covered concept
    weight per word ** `cost_power`, while it fits the `words` and `count` budgets (either may
    be None). The first pick is a lead unit when `lead_first`. A sentence stating the same fact
    as a chosen one (`readability.same_fact` on content terms) is never chosen. `overflow` lets
    the last unit run past `words` (for a caller that cuts the text at the budget).

    Returns sentence indices in the order chosen (a unit's members in article order).
    """
    units = problem.units
    if not units:
        return []
    unit_of_member = np.repeat(np.arange(len(units)), [len(u) for u in units])
    member = np.fromiter((m for u in units for m in u), dtype=np.intp)
    n, u = len(problem.words), len(units)
    term_count = np.bincount(problem.term_sentence, minlength=n).astype(float)
    vocabulary = int(problem.term.max(initial=-1)) + 1
    covered = np.zeros(len(problem.weights), dtype=bool)
    chosen = np.zeros(n, dtype=bool)
    redundant = np.zeros(n, dtype=bool)
    picked: list[int] = []
    used = 0.0
    while (count is None or len(picked) < count) and (words is None or used < words):
        open_weight = problem.weights * ~covered
        sentence_gain = np.bincount(
            problem.concept_sentence, open_weight[problem.concept], minlength=n
        )
        # Per unit, over its members not chosen yet (their concepts may overlap: an upper bound
        # that is exact for single sentences, nearly so for glued pairs).
        new = ~chosen[member]
        gain = np.bincount(unit_of_member, sentence_gain[member] * new, minlength=u)
        cost = np.bincount(unit_of_member, problem.words[member] * new, minlength=u)
        new_count = np.bincount(unit_of_member, new, minlength=u)
        blocked = np.bincount(unit_of_member, redundant[member] & new, minlength=u) > 0
        ok = (new_count > 0) & ~blocked
        if count is not None:
            ok &= len(picked) + new_count <= count
        if lead_first and not picked and (ok & problem.lead).any():
            ok &= problem.lead  # open with the lead that covers the most: the story's core
        value = gain * problem.prior / np.maximum(cost, 1.0) ** cost_power
        if words is not None:
            room = words - used
            fits = cost <= room
            if overflow:
                # Past the budget only the kept words count (the text is cut at the budget).
                value = np.where(fits, value, value * room / np.maximum(cost, 1.0))
            else:
                ok &= fits
        value = np.where(ok, value, -1.0)
        best = int(np.argmax(value))
        if value[best] <= 0:
            break
        members = [m for m in units[best] if not chosen[m]]
        picked.extend(members)
        chosen[members] = True
        used += float(problem.words[members].sum())
        covered[problem.concept[np.isin(problem.concept_sentence, members)]] = True
        # Coverage alone would still let a long paraphrase in for its few new words.
        for m in members:
            in_new = np.zeros(vocabulary, dtype=float)
            in_new[problem.term[problem.term_sentence == m]] = 1.0
            shared = np.bincount(problem.term_sentence, in_new[problem.term], minlength=n)
            redundant |= (
                (shared >= SAME_FACT_MIN_SHARED)
                & (shared >= SAME_FACT_SHARE * np.minimum(term_count, term_count[m]))
                & (term_count > 0)
            )
    return picked
