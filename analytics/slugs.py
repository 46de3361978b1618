"""Stable, readable URL paths for pages generated from data (district names come from uploads)."""
from __future__ import annotations

import hashlib
import re


def safe_name(name: str, empty: str = "name") -> str:
    """The name itself where it is safe in a URL path or a file name (Chinese is), else a cleaned name
    plus a short hash so two names that clean to the same text still differ, stably ("../a" never
    leaves its directory)."""
    clean = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", name, flags=re.UNICODE).strip("-") or empty
    if clean == name:
        return clean
    return f"{clean}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"


def district_slug(name: str) -> str:
    """A district's page path: its safe name, hashed too when it is a company page's path."""
    slug = safe_name(name, empty="district")
    if slug.lower() not in RESERVED:
        return slug
    return f"{slug}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"


#: url paths the company pages use; a district may not take one
RESERVED = {"overview", "mix", "provincial", "online", "low-tier", "data", "present", "access", "audit", "refused",
            "visits",  # --- #14 visits ---
            }
