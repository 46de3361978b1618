"""Who may see and change what: the access file, the roles' capabilities, a user's scope, the settings.

The access file (TOML, `access.toml` in the data directory unless DASHBOARD_ACCESS_FILE says otherwise;
docs/access.sample.toml, docs/deployment.md) lists the people who may sign in:

    [[users]]
    id = "zhang.san@example.com"   # the identity as the sign-in mode delivers it
    name = "张三"                  # optional
    role = "manager"               # admin | analyst | manager | viewer
    districts = ["城郊片区"]        # omit, or ["*"], for every district
    managers = []                  # optional: only these 客户经理's retailers inside those districts

`load` / `parse` read it into an `AccessFile` that carries every problem with its line (a syntax
error, an unknown key, role, district or manager, a duplicate id, a value of the wrong type).
A file with any problem lets nobody in (`resolve` answers None): guessing what a broken file
meant could widen someone's access. What a role may do is one table, `ROLE_CAPABILITIES`; code
asks `can(who, "load_data")` rather than comparing role names. A user's `Scope` (districts,
managers, retailer-level or aggregates only) is what the query layer intersects every request with.

No Streamlit here (tests/test_layout.py): the pages read the identity (st.user, st.context.headers)
and hand it to `resolve`.
"""
from __future__ import annotations

import enum
import ipaddress
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

from . import config
from .labels import t

ROLES: Final = ("admin", "analyst", "manager", "viewer")
ROLE_LABELS: Final = MappingProxyType({"admin": "role_admin", "analyst": "role_analyst", "manager": "role_manager",
                                       "viewer": "role_viewer"})

#: every capability, in the order an admin page lists them
CAPABILITIES: Final = (
    "view_aggregates",    # the chart pages and the presentation, within the scope
    "export_aggregates",  # CSV/XLSX of aggregate tables, chart images
    "download_deck",      # the PPTX deck of the scope
    "view_retailers",     # retailer names, licence numbers, retailer tables, drill-downs to order lines
    "export_retailers",   # downloads that hold retailer rows
    "load_data",          # the 数据管理 page: upload and load extracts
    "rollback",           # withdraw and restore extracts
    "see_audit",          # the audit log
    "manage_access",      # the access page
)

_EVERYONE = frozenset({"view_aggregates", "export_aggregates", "download_deck"})
_RETAILERS = frozenset({"view_retailers", "export_retailers"})
_DATA = frozenset({"load_data", "rollback"})

#: role -> what it may do: the one place that says it (docs/deployment.md shows it as a table)
ROLE_CAPABILITIES: Final[Mapping[str, frozenset[str]]] = MappingProxyType({
    "admin": frozenset(CAPABILITIES),
    "analyst": _EVERYONE | _RETAILERS | _DATA,
    "manager": _EVERYONE | _RETAILERS,
    "viewer": _EVERYONE,
})

#: roles that always see every district (a district list on them would only look like a limit)
UNSCOPED_ROLES: Final = frozenset({"admin", "analyst"})

MODES: Final = ("local", "oidc", "proxy")
DEFAULT_HEADER: Final = "X-Forwarded-User"
DEFAULT_CLAIM: Final = "email"
ACCESS_FILE: Final = "access.toml"

_KEYS = ("id", "name", "role", "districts", "managers")


class Every(enum.Enum):
    """No limit: every district, or every customer manager. A sentinel rather than an empty tuple,
    so that "nothing" (an empty intersection) can never be mistaken for "everything"."""

    ALL = "*"

    def __repr__(self) -> str:
        return "ALL"


ALL: Final = Every.ALL

Names = tuple[str, ...] | Every


def _names(value: Iterable[str] | Every) -> Names:
    """Sorted and without repeats, so that equal scopes are equal values with equal keys."""
    return value if value is ALL else tuple(sorted(set(value)))


# --- users and scopes --------------------------------------------------------------------------

@dataclass(frozen=True)
class User:
    """One `[[users]]` entry. `districts` and `managers` are ALL when not limited; `line` is where
    the entry starts in the file (0 for a user no file names, such as local mode's)."""

    id: str
    role: str
    name: str | None = None
    districts: Names = ALL
    managers: Names = ALL
    line: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "districts", _names(self.districts))
        object.__setattr__(self, "managers", _names(self.managers))


@dataclass(frozen=True)
class Scope:
    """What a user may see: districts and customer managers (ALL for no limit) and whether
    retailer-level rows (names, licence numbers, retailer tables, drill-downs) or aggregates only.
    A value: equal scopes compare and hash equal, and `key()` is the same text in every process."""

    districts: Names = ALL
    managers: Names = ALL
    retailer_level: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "districts", _names(self.districts))
        object.__setattr__(self, "managers", _names(self.managers))

    @property
    def limited(self) -> bool:
        return self.districts is not ALL or self.managers is not ALL or not self.retailer_level

    @property
    def partial(self) -> bool:
        """Whether the scope sees only part of the city (some districts or managers): its totals are
        then not the city's."""
        return self.districts is not ALL or self.managers is not ALL

    def covers(self, district: str) -> bool:
        return self.districts is ALL or district in self.districts

    def covers_manager(self, manager: str) -> bool:
        return self.managers is ALL or manager in self.managers

    def intersect(self, districts: Iterable[str]) -> Names:
        """The districts of a request that the scope allows, in the request's order. An empty request
        asks for every district (as `Filters.districts == ()` does) and gets the scope's districts,
        or ALL. An empty tuple back means NONE: never pass it on where () means every district."""
        asked = list(dict.fromkeys(districts))
        if not asked:
            return self.districts
        return tuple(d for d in asked if self.covers(d))

    def narrow(self, other: Scope) -> Scope:
        """What both scopes allow: the only way a scope changes once a session has one (a page can
        narrow what it sees, never widen it). No district in common gives an empty tuple: nothing."""
        def both(a: Names, b: Names) -> Names:
            return b if a is ALL else a if b is ALL else tuple(x for x in a if x in b)

        return Scope(both(self.districts, other.districts), both(self.managers, other.managers),
                     self.retailer_level and other.retailer_level)

    def require_retailer_level(self, what: str) -> None:
        """Raise NotAllowed unless the scope may see retailer rows (a viewer sees aggregates only)."""
        if not self.retailer_level:
            raise NotAllowed(what, self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Scope:
        def names(v: object) -> Names:
            return ALL if v == "*" else tuple(str(x) for x in v)  # type: ignore[union-attr]

        return cls(names(data["districts"]), names(data["managers"]), bool(data["retailer_level"]))

    @classmethod
    def from_key(cls, key: str) -> Scope:
        """The scope `key()` was made from (cache keys are turned back into filters)."""
        return cls.from_dict(json.loads(key))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: "*" for no limit, else the sorted names."""
        def plain(v: Names) -> object:
            return "*" if v is ALL else list(v)

        return {"districts": plain(self.districts), "managers": plain(self.managers), "retailer_level": self.retailer_level}

    def key(self) -> str:
        """A stable text for cache keys: the same scope gives the same key in any process and any
        order of listing, and two different scopes never share one (JSON quotes every name)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class NotAllowed(PermissionError):
    """A request outside what the scope allows that would show something rather than nothing: a
    retailer-level query (names, licence numbers, order lines) under an aggregates-only scope. The
    pages catch it and show a refusal; a figure outside the scope is never computed."""

    def __init__(self, what: str, scope: Scope):
        super().__init__(f"{what} is not allowed in scope {scope.key()}")
        self.what, self.scope = what, scope


#: local mode's implicit administrator, and what a CLI user sees
EVERYTHING: Final = Scope()


def capabilities(role: str) -> frozenset[str]:
    return ROLE_CAPABILITIES.get(role, frozenset())


def can(who: User | Access, capability: str) -> bool:
    """Whether a user (or a resolved access) may do something. An unknown capability name raises:
    a misspelt check would otherwise deny, or worse be copied as a pattern, without anyone noticing."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}; known: {', '.join(CAPABILITIES)}")
    role = who.user.role if isinstance(who, Access) else who.role
    return capability in capabilities(role)


def scope_of(user: User) -> Scope:
    """The scope a user's entry gives. Admins and analysts see everything whatever the entry says
    (the validator refuses a limit on them, so this only guards a hand-made User)."""
    if user.role in UNSCOPED_ROLES:
        return EVERYTHING
    return Scope(user.districts, user.managers, retailer_level="view_retailers" in capabilities(user.role))


@dataclass(frozen=True)
class Access:
    """A signed-in user's effective access: who, what they may do, and what they may see."""

    user: User
    capabilities: frozenset[str]
    scope: Scope

    def can(self, capability: str) -> bool:
        return can(self, capability)


def access_of(user: User) -> Access:
    return Access(user, capabilities(user.role), scope_of(user))


def local_user(identity: str | None = None) -> User:
    """Local mode's one implicit administrator (the OS user's name, when known)."""
    return User(id=identity or "local", role="admin")


# --- the access file -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """Something wrong in the access file: a label key and its parameters, at a line (None when it is
    about the whole file: missing, unreadable)."""

    line: int | None
    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        text = t(self.key, lang, **self.params)
        return text if self.line is None else t("access_at_line", lang, line=self.line, text=text)


@dataclass(frozen=True)
class AccessFile:
    """A parsed access file: its users (those whose entry is valid) and every problem found.
    `ok` only when there is no problem at all; `resolve` lets nobody in otherwise."""

    users: tuple[User, ...] = ()
    problems: tuple[Problem, ...] = ()
    path: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def user(self, user_id: str) -> User | None:
        wanted = normalise_id(user_id)
        return next((u for u in self.users if normalise_id(u.id) == wanted), None) if wanted else None

    def messages(self, lang: str = "zh") -> list[str]:
        return [p.message(lang) for p in self.problems]


def normalise_id(user_id: str | None) -> str:
    """How identities are compared: without surrounding spaces and case-insensitively (providers and
    proxies do not agree on the case of an email address or a user name)."""
    return (user_id or "").strip().casefold()


def resolve(file: AccessFile, user_id: str | None) -> Access | None:
    """The effective access of an identity, or None: an unknown or empty identity, or a file with any
    problem (nobody is let in on a guess)."""
    if not file.ok:
        return None
    user = file.user(user_id or "")
    return access_of(user) if user is not None else None


def load(path: str | os.PathLike[str], known_districts: Iterable[str] | None = None,
         known_managers: Iterable[str] | None = None) -> AccessFile:
    """Read and check an access file. A missing or unreadable file is a problem (without a line), not
    an exception: callers show problems one way, whatever they are."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return AccessFile(problems=(Problem(None, "access_no_file", {"path": str(path)}),), path=path)
    except OSError:
        return AccessFile(problems=(Problem(None, "access_unreadable", {"path": str(path)}),), path=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return AccessFile(problems=(Problem(line, "access_not_utf8"),), path=path)
    parsed = parse(text, known_districts, known_managers)
    return AccessFile(parsed.users, parsed.problems, path)


def load_checked(path: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None) -> tuple[AccessFile, bool]:
    """load() checked against the districts and managers of the data in `data_dir`, and whether they
    were checked: without data any name passes (the file may be written before the first load)."""
    from .db import connect_store
    from .queries import master_names
    from .store import Store

    store = Store(data_dir)
    if not store.has_data():
        return load(path), False
    return load(path, *master_names(connect_store(store))), True


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def parse(text: str, known_districts: Iterable[str] | None = None,
          known_managers: Iterable[str] | None = None) -> AccessFile:
    """Check the text of an access file. Districts (and managers) are checked against the known ones
    when given (the loaded data's); without data, any name is accepted."""
    text = text.removeprefix("\ufeff")  # Windows Notepad's byte order mark is not a TOML error
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error has no line attribute; its message ends with "(at line L, column C)"
        where = _TOML_WHERE.search(str(exc))
        detail = _TOML_WHERE.sub("", str(exc))
        lines = text.splitlines() or [""]
        line, column = (int(where[1]), int(where[2])) if where else (len(lines), len(lines[-1]) + 1)
        return AccessFile(problems=(Problem(line, "access_syntax", {"column": column, "detail": detail}),))
    return _Checker(text, known_districts, known_managers).run(doc)


class _Checker:
    """The semantic checks. tomllib gives values without positions, so lines come from scanning the
    text: the `[[users]]` headers in order (the n-th header is the n-th entry) and, inside each
    entry, the first line that assigns a key."""

    def __init__(self, text: str, districts: Iterable[str] | None, managers: Iterable[str] | None):
        self.lines = text.splitlines()
        self.districts = None if districts is None else set(districts)
        self.managers = None if managers is None else set(managers)
        self.problems: list[Problem] = []
        self.entries = self._entries()

    def _entries(self) -> list[tuple[int, int]]:
        """(first line, line after the last) of each [[users]] table, 1-based."""
        header = re.compile(r"^\s*\[")
        users = re.compile(r"^\s*\[\[\s*(users|\"users\"|'users')\s*\]\]")
        starts = [i + 1 for i, line in enumerate(self.lines) if users.match(line)]
        tables = [i + 1 for i, line in enumerate(self.lines) if header.match(line)]
        ends = [next((n for n in tables if n > s), len(self.lines) + 1) for s in starts]
        return list(zip(starts, ends, strict=True))

    def key_line(self, key: str, start: int, end: int) -> int | None:
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
        return next((n for n in range(start, end) if pattern.match(self.lines[n - 1])), None)

    def table_line(self, key: str) -> int:
        """The header of a table `[key]` or `[[key]]` (an unknown section), else the first line."""
        pattern = re.compile(rf"^\s*\[\[?\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*[\].]")
        return next((n for n, text in enumerate(self.lines, 1) if pattern.match(text)), 1)

    def value_line(self, value: str, start: int, default: int, end: int) -> int:
        """The line that spells a name of a list spread over several lines (from the key's line on)."""
        quoted = (json.dumps(value, ensure_ascii=False), f"'{value}'")
        return next((n for n in range(start, end) if any(q in self.lines[n - 1] for q in quoted)), default)

    def add(self, line: int | None, label: str, **params: object) -> None:
        self.problems.append(Problem(line, label, params))

    def run(self, doc: dict) -> AccessFile:
        first_table = next((i + 1 for i, line in enumerate(self.lines) if line.lstrip().startswith("[")), len(self.lines) + 1)
        for key in doc:
            if key != "users":
                self.add(self.key_line(key, 1, first_table) or self.table_line(key), "access_unknown_key", field=key, allowed="users")
        raw = doc.get("users", [])
        if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
            self.add(self.key_line("users", 1, first_table) or 1, "access_not_users")
            raw = []
        # an inline `users = [{...}]` has no headers: every entry is then placed at the `users` line
        fallback = self.key_line("users", 1, first_table) or 1
        users: list[User] = []
        seen: dict[str, tuple[int, int]] = {}  # id -> (entry, line of its id)
        for n, entry in enumerate(raw):
            start, end = self.entries[n] if len(self.entries) == len(raw) else (fallback, fallback + 1)
            user = self.entry(entry, start, end)
            # a repeated id is found even when either entry has other problems too
            raw_id = entry.get("id")
            if isinstance(raw_id, str) and raw_id.strip():
                id_line = self.key_line("id", start, end) or start
                first, first_line = seen.setdefault(normalise_id(raw_id), (n, id_line))
                if first != n:
                    self.add(id_line, "access_duplicate_id", id=json.dumps(raw_id.strip(), ensure_ascii=False), first=first_line)
                    continue
            if user is not None:
                users.append(user)
        problems = sorted(self.problems, key=lambda p: p.line or 0)
        return AccessFile(tuple(users), tuple(problems))

    def entry(self, entry: dict, start: int, end: int) -> User | None:
        """One [[users]] table as a User, or None when anything in it is wrong (its problems added)."""
        before = len(self.problems)

        def line(key: str) -> int:
            return self.key_line(key, start, end) or start

        for key in entry:
            if key not in _KEYS:
                self.add(line(key), "access_unknown_key", field=key, allowed=", ".join(_KEYS))
        user_id = self.text(entry, "id", line("id"), required=True)
        name = self.text(entry, "name", line("name"), required=False)
        role = self.text(entry, "role", line("role"), required=True)
        if role is not None and role not in ROLES:
            self.add(line("role"), "access_unknown_role", role=json.dumps(role, ensure_ascii=False), roles=", ".join(ROLES))
        districts = self.names(entry, "districts", line("districts"), end, self.districts, "access_unknown_district")
        managers = self.names(entry, "managers", line("managers"), end, self.managers, "access_unknown_manager")
        if role in UNSCOPED_ROLES:
            for key, value in (("districts", districts), ("managers", managers)):
                if value is not None and value is not ALL:
                    self.add(line(key), "access_role_unscoped", role=role, field=key)
        if len(self.problems) > before or user_id is None or role is None:
            return None
        return User(user_id, role, name, districts or ALL, managers or ALL, line=start)

    def text(self, entry: dict, key: str, line: int, required: bool) -> str | None:
        if key not in entry:
            if required:
                self.add(line, "access_missing", field=key)
            return None
        value = entry[key]
        if not isinstance(value, str) or not value.strip():
            self.add(line, "access_not_text", field=key)
            return None
        return value.strip()

    def names(self, entry: dict, key: str, line: int, end: int, known: set[str] | None, unknown: str) -> Names | None:
        """A districts or managers list: ALL when omitted or ["*"] (managers: also []), the names
        otherwise, None when wrong (problems added)."""
        if key not in entry:
            return ALL
        value = entry[key]
        example = '["城郊片区"]' if key == "districts" else '["张伟"]'
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(line, "access_not_list", field=key, example=example)
            return None
        names = [v.strip() for v in value]
        if not names:
            # the issue's own example writes `managers = []` for "no limit"; an empty districts list
            # reads as "none" to some and "all" to others, so it is refused rather than guessed
            if key == "districts":
                self.add(line, "access_empty_districts")
                return None
            return ALL
        if "*" in names:
            if len(set(names)) > 1:
                self.add(line, "access_star_mixed", field=key)
                return None
            return ALL
        if known is not None:
            field_name = "district" if key == "districts" else "manager"
            shown = "、".join(sorted(known)) or "-"
            strangers = [name for name in dict.fromkeys(names) if name not in known]
            for name in strangers:
                self.add(self.value_line(name, line, line, end), unknown, known=shown,
                         **{field_name: json.dumps(name, ensure_ascii=False)})
            if strangers:
                return None
        return tuple(names)


# --- settings ------------------------------------------------------------------------------------

class SettingsError(ValueError):
    """A setting the server cannot start with, or an address it may not listen on in this mode.
    `message(lang)` says which and what to do."""

    def __init__(self, key: str, **params: object):
        super().__init__(t(key, "en", **params))
        self.key, self.params = key, params

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)


_TOKEN = re.compile(r"^[A-Za-z0-9-]+$")  # header names as proxies set them (a subset of RFC 9110's token)
_CLAIM = re.compile(r"^[A-Za-z0-9_.:/-]+$")


@dataclass(frozen=True)
class AuthSettings:
    """How identities arrive and where the access file is: DASHBOARD_AUTH (local | oidc | proxy),
    DASHBOARD_AUTH_HEADER (proxy mode), DASHBOARD_ACCESS_FILE, DASHBOARD_OIDC_CLAIM (oidc mode)."""

    mode: str = "local"
    header: str = DEFAULT_HEADER
    access_file: Path = field(default_factory=lambda: config.data_dir() / ACCESS_FILE)
    oidc_claim: str = DEFAULT_CLAIM

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None,
                 data_dir: str | os.PathLike[str] | None = None) -> AuthSettings:
        """Read the settings; an empty variable counts as unset. Raises SettingsError for a value that
        is not valid, so a typo (DASHBOARD_AUTH=proxi) stops the server instead of opening it."""
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return (env.get(name) or "").strip() or default

        mode = get("DASHBOARD_AUTH", "local").lower()
        if mode not in MODES:
            raise SettingsError("access_bad_mode", value=env.get("DASHBOARD_AUTH"), choices=", ".join(MODES))
        header = get("DASHBOARD_AUTH_HEADER", DEFAULT_HEADER)
        if not _TOKEN.match(header):
            raise SettingsError("access_bad_header", value=header)
        claim = get("DASHBOARD_OIDC_CLAIM", DEFAULT_CLAIM)
        if not _CLAIM.match(claim):
            raise SettingsError("access_bad_claim", value=claim)
        # the data directory's own rule (config.data_dir) when no file is named
        explicit = get("DASHBOARD_ACCESS_FILE", "")
        where = data_dir or env.get("DASHBOARD_DATA_DIR") or None
        access_file = Path(explicit).resolve() if explicit else config.data_dir(where) / ACCESS_FILE
        return cls(mode, header, access_file, claim)


_LOCAL_NAMES = frozenset({"localhost"})


def _loopback(address: str) -> bool:
    host = address.strip().removeprefix("[").removesuffix("]")
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def binding_allowed(address: str | None, mode: str) -> bool:
    """Whether the server may listen on `address` in this mode. Without sign-in (local) only this
    computer may reach it. In proxy mode the identity is a header anyone reaching the server could
    set, so it must listen on loopback too, behind the proxy. In oidc mode Streamlit checks every
    identity itself, so any address will do. No address (Streamlit's default) means every interface."""
    if mode == "oidc":
        return True
    return bool(address) and _loopback(address or "")


def check_binding(address: str | None, mode: str) -> None:
    """Raise SettingsError, with what to do, when the server may not listen on `address` in `mode`."""
    if not binding_allowed(address, mode):
        shown = address or "0.0.0.0"
        raise SettingsError("access_bind_local" if mode == "local" else "access_bind_proxy", address=shown)


def scope_words(scope: Scope, lang: str = "zh") -> str:
    """A scope in words: "城郊片区", "城郊片区 · 客户经理 吴婷 · 仅汇总", or 全部片区 for no limit."""
    parts = [t("scope_every_district", lang) if scope.districts is ALL else "、".join(scope.districts)]
    if scope.managers is not ALL:
        parts.append(f"{t('manager', lang)} {'、'.join(scope.managers)}")
    if not scope.retailer_level:
        parts.append(t("scope_aggregates_only", lang))
    return " · ".join(parts)


def role_label(role: str, lang: str = "zh") -> str:
    return t(ROLE_LABELS[role], lang) if role in ROLE_LABELS else role


__all__ = ["ALL", "Access", "AccessFile", "AuthSettings", "CAPABILITIES", "EVERYTHING", "Every", "MODES", "NotAllowed", "Problem",
           "ROLES", "ROLE_CAPABILITIES", "Scope", "SettingsError", "User", "access_of", "binding_allowed", "can",
           "capabilities", "check_binding", "load", "load_checked", "local_user", "normalise_id", "parse", "resolve", "role_label",
           "scope_of", "scope_words"]
