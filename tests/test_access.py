"""The access file, the roles' capabilities, scopes, the sign-in settings, the binding rule and the
`access` commands (analytics/access.py)."""
import json
import subprocess
import sys

import pytest

from analytics import access
from analytics.access import ALL, CAPABILITIES, AuthSettings, Scope, SettingsError, User, can, load, parse, resolve

from .conftest import ROOT

SAMPLE = ROOT / "docs" / "access.sample.toml"
KNOWN = ["城郊片区", "城北片区"]

GOOD = """\
[[users]]
id = "admin@example.com"
role = "admin"

[[users]]
id = "analyst@example.com"
role = "analyst"
districts = ["*"]

[[users]]
id = "Zhang.San@Example.com"
name = "张三"
role = "manager"
districts = ["城郊片区"]
managers = []

[[users]]
id = "zhou.jie@example.com"
role = "manager"
districts = ["城郊片区", "城北片区"]
managers = ["周杰"]

[[users]]
id = "li.si@example.com"
role = "viewer"
districts = ["城北片区"]
"""

BAD = """\
# every kind of mistake, one a line
[[users]]
id = "a@example.com"
role = "boss"

[[users]]
id = "b@example.com"
role = "manager"
districts = [
  "城郊片区",
  "火星片区",
]
colour = "red"

[[users]]
id = "A@example.com"
role = "viewer"
districts = []

[[users]]
id = "c@example.com"
role = "analyst"
districts = ["城郊片区"]
managers = "周杰"
"""


def test_a_bad_file_names_every_problem_with_its_line():
    file = parse(BAD, KNOWN)
    assert file.messages("en") == [
        'line 4: unknown role "boss" (choose one of: admin, analyst, manager, viewer)',
        'line 11: unknown district "火星片区" (the data\'s districts: 城北片区、城郊片区)',
        "line 13: unknown key colour (allowed: id, name, role, districts, managers)",
        'line 16: duplicate id "A@example.com" (already on line 3)',
        'line 18: districts is empty: to allow every district, omit it or write ["*"]',
        'line 23: role analyst sees every district and cannot be limited by districts; use manager or viewer to limit',
        'line 24: managers must be a list of strings, e.g. ["张伟"]',
    ]
    assert file.messages("zh")[0] == '第 4 行：未知角色 "boss"（可选：admin, analyst, manager, viewer）'
    assert not file.ok and file.users == ()
    # nobody is let in on a guess: not even the entries without a problem
    assert resolve(parse(GOOD + BAD.replace("a@example.com", "x@example.com"), KNOWN), "admin@example.com") is None


@pytest.mark.parametrize("text, message", [
    ('[[users]]\nid = "x\nrole = "admin"\n', "line 2: TOML syntax error at column 8: Illegal character '\\n'"),
    ('[[users]]\nid = "x"\nrole =\n', "line 3: TOML syntax error at column 7: Invalid value"),
    ('[[users]]\nid = "x"\nrole = "viewer"\ndistricts = []\n',
     'line 4: districts is empty: to allow every district, omit it or write ["*"]'),
    ('[[users]]\nid = "x"\nrole = "viewer"\ndistricts = ["*", "城郊片区"]\n',
     'line 4: "*" in districts means all and cannot be listed with names'),
    ('[[users]]\nname = "张三"\nrole = "viewer"\n', "line 1: id is missing"),
    ('[[users]]\nid = " "\nrole = "viewer"\n', "line 2: id must be a non-empty string"),
    ('users = "everyone"\n', "line 1: users must be one or more [[users]] tables"),
    ('open = true\n[[users]]\nid = "x"\nrole = "viewer"\n', "line 1: unknown key open (allowed: users)"),
    ('users = [{id = "x", role = "viewer"}, {id = "X", role = "viewer"}]\n', 'line 1: duplicate id "X" (already on line 1)'),
])
def test_each_problem_is_told_with_its_line(text, message):
    assert parse(text, KNOWN).messages("en") == [message]


def test_the_file_itself_missing_unreadable_or_not_utf8(tmp_path):
    assert load(tmp_path / "none.toml").messages("en") == [f"There is no access file at {tmp_path / 'none.toml'}."]
    path = tmp_path / "gbk.toml"
    path.write_bytes('[[users]]\nid = "x"\nname = "张三"\n'.encode("gbk"))
    assert load(path).messages("en") == ["line 3: the file is not UTF-8; save it as UTF-8"]
    # Windows Notepad's byte order mark is no problem
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert load(path, KNOWN).ok


def test_without_known_districts_any_name_passes_and_districts_are_checked_when_given():
    text = '[[users]]\nid = "x"\nrole = "viewer"\ndistricts = ["新片区"]\n'
    assert parse(text).ok
    assert parse(text, KNOWN).messages("en") == ['line 4: unknown district "新片区" (the data\'s districts: 城北片区、城郊片区)']
    managers = '[[users]]\nid = "x"\nrole = "manager"\nmanagers = ["张伟", "无名"]\n'
    assert parse(managers, KNOWN, ["张伟"]).messages("en") == [
        'line 4: unknown customer manager "无名" (the data\'s managers: 张伟)']


def test_resolution_per_role():
    file = parse(GOOD, KNOWN)
    assert file.ok and len(file.users) == 5
    admin = resolve(file, "admin@example.com")
    assert admin.scope == Scope() and admin.capabilities == frozenset(CAPABILITIES)
    analyst = resolve(file, "analyst@example.com")
    assert analyst.scope == Scope() and analyst.can("load_data") and not analyst.can("see_audit")
    # identities are compared without regard to case or surrounding spaces
    manager = resolve(file, "  zhang.san@example.COM ")
    assert manager.user.name == "张三"
    assert manager.scope == Scope(("城郊片区",), ALL, retailer_level=True)
    cm = resolve(file, "zhou.jie@example.com")
    assert cm.scope == Scope(("城北片区", "城郊片区"), ("周杰",), retailer_level=True)
    viewer = resolve(file, "li.si@example.com")
    assert viewer.scope == Scope(("城北片区",), ALL, retailer_level=False)
    assert not viewer.can("view_retailers") and viewer.can("download_deck")
    assert resolve(file, "someone@example.com") is None
    assert resolve(file, "") is None and resolve(file, None) is None


def test_the_capability_matrix():
    matrix = {role: [c for c in CAPABILITIES if c in caps] for role, caps in access.ROLE_CAPABILITIES.items()}
    everyone = ["view_aggregates", "export_aggregates", "download_deck"]
    assert matrix == {
        "admin": list(CAPABILITIES),
        "analyst": [*everyone, "view_retailers", "export_retailers", "load_data", "rollback"],
        "manager": [*everyone, "view_retailers", "export_retailers"],
        "viewer": everyone,
    }
    assert can(User("x", "manager"), "export_retailers") and not can(User("x", "manager"), "load_data")
    assert not can(User("x", "nobody"), "view_aggregates")
    with pytest.raises(ValueError, match="unknown capability 'load'"):
        can(User("x", "admin"), "load")


def test_scope_of_never_limits_admins_and_analysts_and_a_local_user_is_an_admin():
    assert access.scope_of(User("x", "analyst", districts=("城郊片区",))) == Scope()
    assert access.scope_of(User("x", "viewer", districts=("城郊片区",))).retailer_level is False
    assert access.local_user("alice") == User("alice", "admin") and access.local_user().id == "local"


def test_scope_key_is_stable_and_different_scopes_differ():
    a = Scope(("城郊片区", "城北片区"), ("周杰",), retailer_level=False)
    assert a == Scope(["城北片区", "城郊片区", "城北片区"], ["周杰"], False)  # order and repeats do not matter
    assert a.key() == '{"districts":["城北片区","城郊片区"],"managers":["周杰"],"retailer_level":false}'
    assert Scope().key() == '{"districts":"*","managers":"*","retailer_level":true}'
    # names that would run together in a joined text stay apart
    assert Scope(("a,b",)).key() != Scope(("a", "b")).key()
    assert len({Scope().key(), Scope(retailer_level=False).key(), Scope(("*x",)).key(), Scope(ALL, ("x",)).key()}) == 4
    assert hash(a) == hash(Scope(("城北片区", "城郊片区"), ("周杰",), False))
    # the same text in another process (hash randomisation, set order)
    code = "from analytics.access import Scope; print(Scope(('城郊片区', '城北片区'), ('周杰',), False).key())"
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                           env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"})
    assert other.stdout.strip() == a.key(), other.stderr


def test_scope_intersection_never_turns_nothing_into_everything():
    s = Scope(("城郊片区", "城北片区"))
    assert s.intersect([]) == ("城北片区", "城郊片区")  # asking for all gets the scope
    assert s.intersect(["城郊片区", "东部乡镇片区", "城郊片区"]) == ("城郊片区",)
    assert s.intersect(["东部乡镇片区"]) == ()  # nothing, not "every district"
    assert Scope().intersect([]) is ALL
    assert Scope().intersect(["东部乡镇片区", "城郊片区"]) == ("东部乡镇片区", "城郊片区")
    assert s.covers("城郊片区") and not s.covers("东部乡镇片区") and s.limited and not Scope().limited
    assert Scope(managers=("周杰",)).covers_manager("周杰") and not Scope(managers=("周杰",)).covers_manager("吴婷")


def test_settings_defaults_values_and_errors(tmp_path):
    default = AuthSettings.from_env({}, data_dir=tmp_path)
    assert default == AuthSettings("local", "X-Forwarded-User", tmp_path.resolve() / "access.toml", "email")
    assert AuthSettings.from_env({"DASHBOARD_DATA_DIR": str(tmp_path)}).access_file == tmp_path.resolve() / "access.toml"
    env = {"DASHBOARD_AUTH": " Proxy ", "DASHBOARD_AUTH_HEADER": "X-Auth-Request-Email",
           "DASHBOARD_ACCESS_FILE": str(tmp_path / "people.toml"), "DASHBOARD_OIDC_CLAIM": "preferred_username"}
    assert AuthSettings.from_env(env) == AuthSettings("proxy", "X-Auth-Request-Email", tmp_path / "people.toml",
                                                      "preferred_username")
    assert AuthSettings.from_env({"DASHBOARD_AUTH": ""}, data_dir=tmp_path).mode == "local"  # empty is unset
    with pytest.raises(SettingsError) as bad:
        AuthSettings.from_env({"DASHBOARD_AUTH": "proxi"})
    assert str(bad.value) == "DASHBOARD_AUTH=proxi is not valid: choose one of local, oidc, proxy."
    assert bad.value.message("zh") == "DASHBOARD_AUTH=proxi 无效：可选 local, oidc, proxy。"
    with pytest.raises(SettingsError, match="X-User: is not a valid HTTP header name"):
        AuthSettings.from_env({"DASHBOARD_AUTH_HEADER": "X-User:"})
    with pytest.raises(SettingsError, match="DASHBOARD_OIDC_CLAIM=e mail is not valid"):
        AuthSettings.from_env({"DASHBOARD_OIDC_CLAIM": "e mail"})


@pytest.mark.parametrize("address, local, proxy, oidc", [
    ("127.0.0.1", True, True, True),
    ("localhost", True, True, True),
    ("::1", True, True, True),
    ("[::1]", True, True, True),
    ("0.0.0.0", False, False, True),
    ("::", False, False, True),
    ("192.168.1.20", False, False, True),
    ("dashboard.example.com", False, False, True),
    ("", False, False, True),  # Streamlit's default: every interface
    (None, False, False, True),
])
def test_the_binding_rule(address, local, proxy, oidc):
    assert tuple(access.binding_allowed(address, mode) for mode in ("local", "proxy", "oidc")) == (local, proxy, oidc)


def test_a_refused_binding_says_why():
    with pytest.raises(SettingsError, match=r"Local mode \(DASHBOARD_AUTH=local\) has no sign-in.*not on 0.0.0.0"):
        access.check_binding(None, "local")
    with pytest.raises(SettingsError, match="anyone reaching the server directly could forge"):
        access.check_binding("10.0.0.5", "proxy")
    access.check_binding("127.0.0.1", "proxy")


def test_the_sample_file_is_valid_for_the_demo_city():
    from analytics.tools.demo import MANAGERS, PROFILES

    file = load(SAMPLE, [p.name for p in PROFILES], MANAGERS)
    assert file.ok, file.messages("en")
    assert {u.role for u in file.users} == set(access.ROLES)
    assert resolve(file, "zhang.san@example.com").scope.districts == ("城郊片区",)


# --- the command line ------------------------------------------------------------------------------

def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "analytics", "access", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def test_access_check_exits_0_for_a_valid_file_and_1_with_each_problem_on_its_line(tmp_path):
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    empty = tmp_path / "empty-data"
    out = _cli("check", "--file", str(good), "--data-dir", str(empty))
    assert (out.returncode, out.stdout) == (0, f"{good}: 5 user(s), no problems (no data loaded: districts and managers not checked)\n")
    out = _cli("check", "--file", str(bad), "--data-dir", str(empty), "--lang", "en")
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        f'{bad}: line 4: unknown role "boss" (choose one of: admin, analyst, manager, viewer)',
        f"{bad}: line 13: unknown key colour (allowed: id, name, role, districts, managers)",
        f'{bad}: line 16: duplicate id "A@example.com" (already on line 3)',
        f'{bad}: line 18: districts is empty: to allow every district, omit it or write ["*"]',
        f"{bad}: line 23: role analyst sees every district and cannot be limited by districts; use manager or viewer to limit",
        f'{bad}: line 24: managers must be a list of strings, e.g. ["张伟"]',
    ]


def test_access_check_reads_the_default_file_and_the_datas_districts(tiny):
    path = tiny.root / "access.toml"
    path.write_text('[[users]]\nid = "x"\nrole = "viewer"\ndistricts = ["甲片区", "城郊片区"]\n', encoding="utf-8")
    out = _cli("check", "--data-dir", str(tiny.root), "--lang", "en")
    assert (out.returncode, out.stdout) == (1, f'{path}: line 4: unknown district "城郊片区" (the data\'s districts: 乙片区、甲片区)\n')
    path.write_text('[[users]]\nid = "x"\nrole = "manager"\ndistricts = ["甲片区"]\nmanagers = ["张伟"]\n', encoding="utf-8")
    assert _cli("check", "--data-dir", str(tiny.root)).returncode == 0
    # DASHBOARD_ACCESS_FILE names another file; a setting the server would refuse is refused here too
    out = _cli("check", "--data-dir", str(tiny.root), env={"DASHBOARD_ACCESS_FILE": str(tiny.root / "other.toml")})
    assert (out.returncode, out.stdout) == (1, f"{tiny.root / 'other.toml'}: 找不到访问控制文件 {tiny.root / 'other.toml'}。\n")
    out = _cli("check", "--data-dir", str(tiny.root), env={"DASHBOARD_AUTH": "open"})
    assert (out.returncode, out.stderr) == (2, "error: DASHBOARD_AUTH=open 无效：可选 local, oidc, proxy。\n")


def test_access_show_prints_the_resolved_access(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text(GOOD, encoding="utf-8")
    args = ("--file", str(path), "--data-dir", str(tmp_path / "none"))
    out = _cli("show", "ZHOU.JIE@example.com", "--json", *args)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "id": "zhou.jie@example.com", "name": None, "role": "manager", "districts": ["城北片区", "城郊片区"], "managers": ["周杰"],
        "retailer_level": True, "capabilities": ["view_aggregates", "export_aggregates", "download_deck", "view_retailers",
                                                 "export_retailers"],
        "scope_key": '{"districts":["城北片区","城郊片区"],"managers":["周杰"],"retailer_level":true}'}
    text = _cli("show", "li.si@example.com", *args).stdout.splitlines()
    assert text[1:5] == ["role:         viewer", "districts:    城北片区", "managers:     all", "retailers:    aggregates only"]
    unknown = _cli("show", "nobody@example.com", *args, "--lang", "en")
    assert (unknown.returncode, unknown.stdout, unknown.stderr) == (
        1, "", "error: There is no user nobody@example.com in the access file.\n")
    path.write_text(BAD, encoding="utf-8")
    broken = _cli("show", "b@example.com", *args)
    expected = f'{path}: 第 4 行：未知角色 "boss"（可选：admin, analyst, manager, viewer）'
    assert broken.returncode == 1 and broken.stderr.splitlines()[0] == expected
