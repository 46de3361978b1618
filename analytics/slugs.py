"""Stable, readable URL paths for pages generated from data (district names come from uploads)."""
from __future__ import annotations

import hashlib
import re


def district_slug(name: str) -> str:
    """The district's own name where it is URL-safe (Chinese is), else a cleaned name plus a short
    hash so two names that clean to the same text still get different, stable paths."""
    clean = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", name, flags=re.UNICODE).strip("-") or "district"
    if clean == name and clean.lower() not in RESERVED:
        return clean
    return f"{clean}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"


#: url paths the company pages use; a district may not take one
RESERVED = {"overview", "mix", "provincial", "online", "low-tier", "data", "present", "access", "audit", "refused"}
