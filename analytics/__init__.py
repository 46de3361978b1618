"""Analytics core of the cigarette-sales dashboard: no Streamlit in here (see tests/test_layout.py)."""
