"""Benchmarks of the kit on this machine (``python -m benchmarks``).

Each module measures one part: dataset generation end to end and its
baselines, check() latency, and the notebook runners (self-check and
grading). ``benchmarks.run`` schedules them and writes RESULTS.md.
"""
