"""Learned rules: features, scikit-learn pipelines, training and evaluation."""
