"""Reproducible benchmarks (issue 2): each module runs alone and prints ratios against baselines measured in the
same run, never timed assertions. `make bench` runs them all with small sizes."""
