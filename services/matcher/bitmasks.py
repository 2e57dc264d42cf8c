"""Lists of words (pathways, genders, languages, interests) as bitmasks, a column at a time.

Each list becomes the OR of its words' bits. The lists of a whole side are flattened once,
looked up through a dict of the distinct words, and OR-ed into place by numpy, so no Python
runs per record beyond the flattening.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np


def flat_rows(lists: Sequence[Sequence[str]]) -> tuple[list[str], np.ndarray]:
    """All items of all lists in order, and the list (row) each came from."""
    lengths = np.fromiter(map(len, lists), np.int64, len(lists))
    return list(chain.from_iterable(lists)), np.repeat(np.arange(len(lists)), lengths)


def small_masks(lists: Sequence[Sequence[str]], bit: dict[str, int], empty: int = 0) -> np.ndarray:
    """uint8 masks over a vocabulary of at most 8 fixed words; `empty` for an empty list."""
    items, rows = flat_rows(lists)
    out = np.zeros(len(lists), dtype=np.uint8)
    if items:
        np.bitwise_or.at(out, rows, np.fromiter(map(bit.__getitem__, items), np.uint8, len(items)))
    if empty:
        out[out == 0] = empty
    return out


class Vocabulary:
    """Words (languages, interests) as given, compared stripped and lowercase, numbered."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        raw = set(words)
        self.words: list[str] = sorted({word.strip().lower() for word in raw})
        self.index: dict[str, int] = {word: k for k, word in enumerate(self.words)}
        self._raw: dict[str, int] = {word: self.index[word.strip().lower()] for word in raw}

    @classmethod
    def of(cls, *groups: Sequence[Sequence[str]]) -> Vocabulary:
        """The vocabulary of every word in the given lists of lists."""
        return cls(chain.from_iterable(chain.from_iterable(groups)))

    @property
    def n_words(self) -> int:
        """Number of 64-bit words a mask over this vocabulary needs (at least one)."""
        return max(1, (len(self.words) + 63) // 64)

    def positions(self, items: list[str]) -> np.ndarray:
        """The index of each word as given (-1 for a word outside the vocabulary)."""
        raw = self._raw
        for word in set(items).difference(raw):  # words of a newcomer, seen once each
            raw[word] = self.index.get(word.strip().lower(), -1)
        return np.fromiter(map(raw.__getitem__, items), np.int64, len(items))

    def masks(self, lists: Sequence[Sequence[str]]) -> np.ndarray:
        """One (n, n_words) uint64 mask per list; words outside the vocabulary are dropped."""
        items, rows = flat_rows(lists)
        out = np.zeros((len(lists), self.n_words), dtype=np.uint64)
        if items:
            index = self.positions(items)
            keep = index >= 0
            index = index[keep]
            bits = np.left_shift(np.uint64(1), (index % 64).astype(np.uint64))
            np.bitwise_or.at(out, (rows[keep], index // 64), bits)
        return out

    def first(self, lists: Sequence[Sequence[str]]) -> np.ndarray:
        """The index of each list's first word (-1 when outside the vocabulary)."""
        return self.positions([items[0] for items in lists]).astype(np.int32)

    def names(self, mask_row: np.ndarray) -> list[str]:
        """The words whose bits are set in one mask row."""
        found = []
        for word, value in enumerate(mask_row.tolist()):
            while value:
                low = value & -value
                found.append(self.words[64 * word + low.bit_length() - 1])
                value ^= low
        return found
