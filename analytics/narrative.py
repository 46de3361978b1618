"""The written summary (生成的分析文字): filled in by the presenting issue."""
from __future__ import annotations


def summary_text(summary: dict, district: str, lang: str = "zh") -> str:
    return "\n".join(f"{k}: {v}" for k, v in summary.items())
