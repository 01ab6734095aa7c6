"""The features of ``features.py`` as scikit-learn transformers, for training and evaluation.

Thin wrappers: what each transformer computes is a function of ``features.py`` (which does
not import scikit-learn and is shared with the exported runtime, ``runtime.py``). Every
transformer here is stateless or fitted by ``fit`` only, and all are module-level classes so
that trained pipelines pickle. Pipelines pickled before this module existed refer to
``indicatorqa.learn.features.FieldText`` etc.; ``features`` resolves those names to here.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .features import facts, field_texts, residue_texts


class FieldText(BaseEstimator, TransformerMixin):
    """Select one text field (or several joined) from records, for a text vectorizer."""

    def __init__(self, fields: tuple[str, ...] = ("value",), mark_empty: bool = True):
        self.fields = fields
        self.mark_empty = mark_empty

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return field_texts(X, self.fields, self.mark_empty)

    def get_feature_names_out(self, input_features=None):
        return np.asarray(["text"], dtype=object)


class ResidueText(BaseEstimator, TransformerMixin):
    """The words of one field that the name does not already say (``features.residue_texts``)."""

    def __init__(self, field: str = "description"):
        self.field = field

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return residue_texts(X, self.field)

    def get_feature_names_out(self, input_features=None):
        return np.asarray(["text"], dtype=object)


class DictFacts(BaseEstimator, TransformerMixin):
    """Named hand features from one of the fact functions (``features.facts``), vectorised."""

    def __init__(self, kind: str = "value"):
        self.kind = kind

    def _facts(self, r):
        return dict(facts(self.kind, r))

    def fit(self, X, y=None):
        from sklearn.feature_extraction import DictVectorizer

        self.vec_ = DictVectorizer(sparse=True)
        self.vec_.fit([self._facts(r) for r in X])
        return self

    def transform(self, X):
        return self.vec_.transform([self._facts(r) for r in X])

    def get_feature_names_out(self, input_features=None):
        return np.asarray(self.vec_.get_feature_names_out(), dtype=object)
