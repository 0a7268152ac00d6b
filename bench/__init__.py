"""Benchmarks of the KCR hub against baselines measured in the same run (``make bench``)."""
