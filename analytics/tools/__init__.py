"""Tools beside the product, never imported by what the app runs (tests/test_layout.py):
demo (the generated city behind `python -m analytics demo`), baseline (the same questions in pandas
over the raw lines, for parity tests and the benchmark), bench (`make bench`) and the benchmark's
drivers of a real server (perf_ui, perf_load, browser). Only these may import Streamlit under analytics/."""
