"""TF-IDF of the `about` texts with cosine similarity, without importing scikit-learn.

It reproduces `sklearn.feature_extraction.text.TfidfVectorizer()` with its defaults
(token pattern, lowercase, smooth idf, l2 norm; a test checks the two agree). Importing
scikit-learn costs about 1.3 s on this machine, and even scipy.sparse 0.1 s of a 1.5 s
`peermatch solve` budget, so the batch path carries this small numpy equivalent instead.
Each distinct text is tokenized and weighted once (`TextRows`): people often write the
same few words, or nothing, and a pair's cosine is then one lookup in a table of the
distinct texts' cosines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from services.matcher.columns import flat_positions

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def tokenize(text: str) -> list[str]:
    """Lowercased words of two or more characters, as scikit-learn's default analyzer."""
    return _TOKEN.findall(text.lower())


class TextModel:
    """A vocabulary with idf weights, fitted on a corpus, that turns texts into unit vectors."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        # Term counts of texts seen by `fit`: people often share a text (or write none),
        # and each distinct text is tokenized once.
        self._counts: dict[str, dict[int, int]] = {}

    @classmethod
    def fit(cls, texts: Sequence[str]) -> TextModel:
        """Learn the vocabulary and smoothed idf of a corpus."""
        vocabulary: dict[str, int] = {}
        df: list[int] = []
        counts: dict[str, dict[int, int]] = {}
        for text, copies in Counter(texts).items():
            row: dict[int, int] = {}
            for token in tokenize(text):
                index = vocabulary.get(token)
                if index is None:
                    index = vocabulary[token] = len(df)
                    df.append(0)
                row[index] = row.get(index, 0) + 1
            counts[text] = row
            for index in row:
                df[index] += copies
        # scikit-learn sorts its vocabulary; column order does not change any cosine.
        n = len(texts)
        idf = np.log((1.0 + n) / (1.0 + np.asarray(df, dtype=np.float64))) + 1.0
        model = cls(vocabulary, idf)
        model._counts = counts
        return model

    def _row(self, text: str) -> dict[int, int]:
        row = self._counts.get(text)
        if row is not None:
            return row
        row = {}
        for token in tokenize(text):
            index = self.vocabulary.get(token)
            if index is not None:
                row[index] = row.get(index, 0) + 1
        return row

    def transform(self, texts: Sequence[str]) -> TextRows:
        """Texts as l2-normalised tf-idf rows (words outside the vocabulary are ignored)."""
        distinct: dict[str, int] = {}
        which = np.fromiter(
            (distinct.setdefault(text, len(distinct)) for text in texts), np.int64, len(texts)
        )
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for text in distinct:
            row = self._row(text)
            ordered = sorted(row)  # columns ascending within a row, for lookups
            indices.extend(ordered)
            counts.extend(row[k] for k in ordered)
            indptr.append(len(indices))
        index_arr = np.asarray(indices, dtype=np.int64)
        data = np.asarray(counts, dtype=np.float64) * self.idf[index_arr]
        indptr_arr = np.asarray(indptr, dtype=np.int64)
        rows = np.repeat(np.arange(len(distinct)), np.diff(indptr_arr))
        norms = np.sqrt(np.bincount(rows, weights=data**2, minlength=len(distinct)))
        if len(data):
            data /= norms[rows]
        return TextRows(indptr_arr, index_arr, data, len(self.idf), which)


@dataclass(eq=False)  # compared and hashed by identity, for the cosine table's cache
class TextRows:
    """Unit tf-idf vectors of n rows: the distinct texts in CSR form, and each row's text."""

    indptr: np.ndarray  # int64 (d + 1): distinct text t's entries are [indptr[t], [t + 1])
    indices: np.ndarray  # int64 term of each entry, ascending within a text
    data: np.ndarray  # float64 weight of each entry
    n_terms: int
    text_of: np.ndarray  # int64 (n,): the distinct text of each row

    @property
    def n_distinct(self) -> int:
        """Number of distinct texts."""
        return len(self.indptr) - 1

    @property
    def nnz(self) -> int:
        """Stored entries over all n rows."""
        return int(np.diff(self.indptr)[self.text_of].sum())

    @cached_property
    def distinct_dense32(self) -> np.ndarray:
        """The same matrix in float32, for gathering many rows."""
        return self.distinct_dense.astype(np.float32)

    @cached_property
    def distinct_dense(self) -> np.ndarray:
        """(d, n_terms) float64 matrix of the distinct texts."""
        out = np.zeros((self.n_distinct, self.n_terms))
        out[np.repeat(np.arange(self.n_distinct), np.diff(self.indptr)), self.indices] = self.data
        return out


_DENSE_LIMIT = 1 << 24  # matrix cells: below this, pair cosines use dense rows
_TABLE_LIMIT = 1 << 22  # distinct text pairs: below this, one table of all their cosines
_CHUNK = 1 << 16


def _looked_up(left: TextRows, right: TextRows, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot products of distinct texts a[k] (left) and b[k] (right) by sorted-key lookups."""
    if len(right.data) == 0:
        return np.zeros(len(a))
    lengths = np.diff(left.indptr)[a]
    at = flat_positions(left.indptr[a], lengths)
    owner = np.repeat(np.arange(len(a)), lengths)
    keys = np.repeat(np.arange(right.n_distinct), np.diff(right.indptr)) * right.n_terms
    keys += right.indices  # ascending: texts in order, terms ascending within each
    wanted = b[owner] * right.n_terms + left.indices[at]
    found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    hit = keys[found] == wanted
    products = np.where(hit, left.data[at] * right.data[found], 0.0)
    return np.bincount(owner, weights=products, minlength=len(a))


@lru_cache(maxsize=4)  # the batch scores its pairs a chunk at a time
def _table(left: TextRows, right: TextRows) -> np.ndarray:
    """Cosines of every distinct left text with every distinct right one, in [0, 1]."""
    return (left.distinct_dense @ right.distinct_dense.T).clip(0.0, 1.0)


def pair_cosines(left: TextRows, right: TextRows, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Cosine similarity of row i[k] of `left` with row j[k] of `right`, for every k."""
    if len(i) == 0:
        return np.zeros(0)
    a, b = left.text_of[i], right.text_of[j]
    d_left, d_right, width = left.n_distinct, right.n_distinct, left.n_terms
    if d_left * d_right <= _TABLE_LIMIT and width * (d_left + d_right) <= _DENSE_LIMIT:
        # Few distinct texts: every cosine between them once, then one lookup a pair.
        return _table(left, right)[a, b]
    out = np.empty(len(i), dtype=np.float64)
    if width * (d_left + d_right) <= _DENSE_LIMIT:
        # A small vocabulary: gathered dense rows and a dot product beat sparse lookups.
        dense_left, dense_right = left.distinct_dense32, right.distinct_dense32
        for low in range(0, len(i), _CHUNK):
            rows_a = dense_left[a[low : low + _CHUNK]]
            rows_b = dense_right[b[low : low + _CHUNK]]
            out[low : low + _CHUNK] = np.einsum("ij,ij->i", rows_a, rows_b)
    else:
        for low in range(0, len(i), _CHUNK):
            out[low : low + _CHUNK] = _looked_up(
                left, right, a[low : low + _CHUNK], b[low : low + _CHUNK]
            )
    return out.clip(0.0, 1.0)


def row_cosines(
    matrix: TextRows, rows: np.ndarray, one: TextRows, lengths: np.ndarray | None = None
) -> np.ndarray:
    """Cosine of each of `matrix`'s `rows` with the single row of `one` (the worker's path).

    `lengths` (stored entries of each distinct text of `matrix`) may be given.
    """
    vector = np.zeros(matrix.n_terms)
    t = int(one.text_of[0])
    low, high = one.indptr[t], one.indptr[t + 1]
    vector[one.indices[low:high]] = one.data[low:high]
    texts = matrix.text_of[rows]
    counts = (np.diff(matrix.indptr) if lengths is None else lengths)[texts]
    at = flat_positions(matrix.indptr[texts], counts)
    products = matrix.data[at] * vector[matrix.indices[at]]
    owner = np.repeat(np.arange(len(rows)), counts)
    return np.bincount(owner, weights=products, minlength=len(rows)).clip(0.0, 1.0)
