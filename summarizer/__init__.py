"""Summarizer: text to sentences, boilerplate filter, extractive algorithms, ROUGE evaluation."""

from summarizer.api import ALGORITHMS, UnknownAlgorithmError, summarize
from summarizer.boilerplate import clean_text
from summarizer.sentences import split_sentences

__all__ = ["ALGORITHMS", "UnknownAlgorithmError", "clean_text", "split_sentences", "summarize"]
