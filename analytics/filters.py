"""The one place a WHERE clause is built from what the user chose. Values are always bound
parameters; column names come only from the allow-list below.

A `Filters` also carries the session's `Scope` (analytics/access.py): what the user may see. It is
set once, where the session's filters are built (`within`), kept by `with_`, part of `key()` (so of
every cache key), and intersected with whatever the page chose in `where()`; the query layer
(analytics/queries.py) enforces it again on every table a statement reads."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .access import ALL, EVERYTHING, Scope

TIER_MIN, TIER_MAX = 1, 30

#: filterable column -> the SQL column it reads (the same name in cube, sku_cube and retailers)
SEGMENT_COLUMNS = ("district", "manager", "area_type", "business_format")


@dataclass(frozen=True)
class Filters:
    """What a page shows: a year, the year it is compared with, and a slice of the market."""

    year: int | None = None
    compare_year: int | None = None
    month_from: int = 1
    month_to: int = 12
    districts: tuple[str, ...] = ()
    area_types: tuple[str, ...] = ()
    business_formats: tuple[str, ...] = ()
    tier_min: int = TIER_MIN
    tier_max: int = TIER_MAX
    #: chosen customer managers (客户经理): the master's manager of each retailer, like districts a
    #: narrowing; a name alone, so with districts chosen too it is that district's manager of the name
    managers: tuple[str, ...] = ()
    #: what the user may see; everything by default (local mode, the CLI, every existing caller)
    scope: Scope = EVERYTHING

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(y for y in (self.year, self.compare_year) if y is not None)

    def with_(self, **changes: object) -> Filters:
        """A copy with other choices and the same scope: a page changes what it asks, never what it
        may see (`within` narrows the scope, nothing widens it)."""
        if "scope" in changes:
            raise TypeError("Filters.with_ keeps the scope; use within(scope) to narrow it")
        return replace(self, **changes)

    def within(self, scope: Scope) -> Filters:
        """The same choices under what both this scope and `scope` allow."""
        return replace(self, scope=self.scope.narrow(scope))

    @property
    def scoped_districts(self) -> tuple[str, ...] | None:
        """The districts a query may read: the chosen ones the scope allows (an empty tuple: none,
        so no rows), or None for no district limit at all (nothing chosen, unscoped)."""
        allowed = self.scope.intersect(self.districts)
        return None if allowed is ALL else allowed

    @property
    def scoped_managers(self) -> tuple[str, ...] | None:
        """The chosen managers the scope allows (an empty tuple: none, so no rows), or None when no
        manager is chosen (the scope's own managers are cut under the WHERE, queries.scoped_sql)."""
        if not self.managers:
            return None
        return tuple(m for m in dict.fromkeys(self.managers) if self.scope.covers_manager(m))

    def key(self) -> tuple:
        """Every filter value as a plain tuple: cache keys are built from this, never from the object.
        The scope is its stable text (Scope.key), so two scopes never share a cache entry."""
        plain = tuple(getattr(self, f.name) for f in fields(self) if f.name != "scope")
        return (*plain, self.scope.key())

    @classmethod
    def from_key(cls, key: tuple) -> Filters:
        *plain, scope = key
        return cls(*plain, scope=Scope.from_key(scope))

    def where(self, alias: str = "", months: bool = True, segment: bool = True) -> tuple[str, dict]:
        """SQL conditions (joined by AND, starting with TRUE) and their named parameters (`$district_0`).

        `months=False` leaves out the month range (for master tables that have no month);
        `segment=False` leaves out district/manager/area/format/tier (for tables without them: every
        table with the segment has the manager, the master's and the segment rollups' alike).
        A value's name does not depend on the alias or the options, so the clauses of several tables
        in one statement share their parameters: merge the dicts.
        """
        p = f"{alias}." if alias else ""
        parts = ["TRUE"]
        params: dict = {}
        if months and (self.month_from, self.month_to) != (1, 12):
            parts.append(f"{p}month BETWEEN $month_from AND $month_to")
            params |= {"month_from": int(self.month_from), "month_to": int(self.month_to)}
        if segment:
            districts, managers = self.scoped_districts, self.scoped_managers
            if districts == () or managers == ():
                # a district or manager outside the scope was chosen: no rows, never theirs
                parts.append("FALSE")
            chosen = (districts or (), managers or (), self.area_types, self.business_formats)
            for col, values in zip(SEGMENT_COLUMNS, chosen, strict=True):
                if values:
                    named = {f"{col}_{k}": str(v) for k, v in enumerate(values)}
                    parts.append(f"{p}{col} IN ({', '.join('$' + n for n in named)})")
                    params |= named
            if (self.tier_min, self.tier_max) != (TIER_MIN, TIER_MAX):
                parts.append(f"{p}customer_tier BETWEEN $tier_min AND $tier_max")
                params |= {"tier_min": int(self.tier_min), "tier_max": int(self.tier_max)}
        return " AND ".join(parts), params

    def describe(self) -> dict[str, str]:
        """Active filters as label-key -> value text, for 'filters in force' captions and exports."""
        out: dict[str, str] = {}
        if self.year is not None:
            out["year"] = str(self.year) + (f" vs {self.compare_year}" if self.compare_year else "")
        if (self.month_from, self.month_to) != (1, 12):
            out["month"] = f"{self.month_from}–{self.month_to}"
        if self.districts:
            out["district"] = "、".join(self.districts)
        if self.managers:
            out["manager"] = "、".join(self.managers)
        if self.area_types:
            out["area_type"] = "、".join(self.area_types)
        if self.business_formats:
            out["business_format"] = "、".join(self.business_formats)
        if (self.tier_min, self.tier_max) != (TIER_MIN, TIER_MAX):
            out["customer_tier"] = f"{self.tier_min}–{self.tier_max}"
        return out
