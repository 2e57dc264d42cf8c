"""TF-IDF of the `about` texts with cosine similarity, without importing scikit-learn.

It reproduces `sklearn.feature_extraction.text.TfidfVectorizer()` with its defaults
(token pattern, lowercase, smooth idf, l2 norm; a test checks the two agree). Importing
scikit-learn costs about 1.3 s on this machine, close to half the 3 s budget of a whole
`peermatch solve` run, so the batch path carries this small equivalent instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

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
        # and each text is tokenized once.
        self._counts: dict[str, dict[int, int]] = {}

    @classmethod
    def fit(cls, texts: Sequence[str]) -> TextModel:
        """Learn the vocabulary and smoothed idf of a corpus."""
        vocabulary: dict[str, int] = {}
        df: list[int] = []
        counts: dict[str, dict[int, int]] = {}
        for text in texts:
            row = counts.get(text)
            if row is None:
                row = {}
                for token in tokenize(text):
                    index = vocabulary.get(token)
                    if index is None:
                        index = vocabulary[token] = len(df)
                        df.append(0)
                    row[index] = row.get(index, 0) + 1
                counts[text] = row
            for index in row:
                df[index] += 1
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

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Texts as l2-normalised tf-idf rows (words outside the vocabulary are ignored)."""
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for text in texts:
            row = self._row(text)
            indices.extend(row)
            counts.extend(row.values())
            indptr.append(len(indices))
        index_arr = np.asarray(indices, dtype=np.int32)
        data = np.asarray(counts, dtype=np.float64) * self.idf[index_arr]
        indptr_arr = np.asarray(indptr, dtype=np.int64)
        lengths = np.diff(indptr_arr)
        rows = np.repeat(np.arange(len(texts)), lengths)
        norms = np.sqrt(np.bincount(rows, weights=data**2, minlength=len(texts)))
        if len(data):
            data /= norms[rows]
        shape = (len(texts), len(self.idf))
        return sparse.csr_matrix((data, index_arr, indptr_arr), shape=shape)


_DENSE_LIMIT = 1 << 24  # matrix cells: below this, pair cosines use dense rows
_CHUNK = 1 << 16


def pair_cosines(
    left: sparse.csr_matrix, right: sparse.csr_matrix, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Cosine similarity of row i[k] of `left` with row j[k] of `right`, for every k."""
    if len(i) == 0:
        return np.zeros(0)
    width = left.shape[1]
    if width * (left.shape[0] + right.shape[0]) <= _DENSE_LIMIT:
        # A small vocabulary: gathered dense rows and a dot product beat sparse indexing.
        dense_left = left.toarray().astype(np.float32)
        dense_right = right.toarray().astype(np.float32)
        out = np.empty(len(i), dtype=np.float64)
        for low in range(0, len(i), _CHUNK):
            a = dense_left[i[low : low + _CHUNK]]
            b = dense_right[j[low : low + _CHUNK]]
            out[low : low + _CHUNK] = np.einsum("ij,ij->i", a, b)
        return out.clip(0.0, 1.0)
    product = left[i].multiply(right[j])
    return np.asarray(product.sum(axis=1)).ravel().clip(0.0, 1.0)
