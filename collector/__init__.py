"""Collector: fetch and parse feeds and pages, extract text, recognise duplicates, match topics."""
