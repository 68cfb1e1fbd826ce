"""Greedy sentence selection with a redundancy penalty: the one picker every summary uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence


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
