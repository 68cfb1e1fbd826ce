"""Summarizer: text to sentences, boilerplate filter, extractive algorithms, ROUGE evaluation."""
