"""Benchmarks: `make bench` (`python -m bench`). Every figure is a ratio against a
baseline measured in the same run, on a scratch database the run creates and drops."""
