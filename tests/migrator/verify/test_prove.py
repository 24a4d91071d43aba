"""End to end on the fake library: envs built from local wheels, cases run, statuses decided."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from apimig.migrator.cli import main
from apimig.migrator.rules.loader import load_pack_file, load_pack_text
from apimig.migrator.verify.envs import EnvBuilder, EnvUnavailable
from apimig.migrator.verify.prove import Prover

FAKE = "apimigfake"  # the fake library conftest.py builds

PACK = textwrap.dedent(f"""\
    # rules over the fake library; comments and layout must survive --write
    - id: fake-old
      library: {FAKE}
      kind: rename
      old: {FAKE}.old
      fix: {{rename: {FAKE}.new}}
      message: "old() was removed in 2.0; use new()"
      removed_in: "2.0"
      source: https://example.org/fake/2.0
      cases:
        - bad: "import {FAKE}\\ny = {FAKE}.old(x)\\n"
          good: "import {FAKE}\\ny = {FAKE}.new(x)\\n"
        - noop: "y = old(3)\\n"

    - id: fake-scale
      library: {FAKE}
      kind: rename
      old: {FAKE}.scale
      fix: {{rename: {FAKE}.triple}}
      message: "scale() was removed in 2.0"
      removed_in: "2.0"
      source: https://example.org/fake/2.0
      cases:
        - bad: "import {FAKE}\\ny = {FAKE}.scale(4)\\n"
          good: "import {FAKE}\\ny = {FAKE}.triple(4)\\n"
        - noop: "y = scale(4)\\n"

    - id: fake-old-to-missing
      library: {FAKE}
      kind: rename
      old: {FAKE}.old
      fix: {{rename: {FAKE}.newer}}
      message: "old() was removed in 2.0"
      removed_in: "2.0"
      source: https://example.org/fake/2.0
      cases:
        - bad: "import {FAKE}\\ny = {FAKE}.old(3)\\n"
          good: "import {FAKE}\\ny = {FAKE}.newer(3)\\n"
        - noop: "y = old(3)\\n"

    - id: fake-before-history
      library: {FAKE}
      kind: rename
      old: {FAKE}.ancient
      fix: {{rename: {FAKE}.new}}
      message: "ancient() was removed in 1.0"
      removed_in: "1.0"
      source: https://example.org/fake/1.0
      cases:
        - bad: "import {FAKE}\\ny = {FAKE}.ancient(3)\\n"
          good: "import {FAKE}\\ny = {FAKE}.new(3)\\n"
        - noop: "y = ancient(3)\\n"
    """)


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "fake.yaml"
    path.write_text(PACK, encoding="utf-8")
    return path


def test_releases_come_from_the_find_links_folder(builder: EnvBuilder) -> None:
    assert [str(v) for v in builder.releases(FAKE)] == ["1.0", "2.0"]


def test_each_rule_gets_the_status_its_evidence_supports(builder: EnvBuilder, pack: Path) -> None:
    prover = Prover(builder)
    got = {rule.id: prover.verify(rule) for rule in load_pack_file(pack)}

    assert got["fake-old"].status == "safe"
    assert got["fake-old"].env == f"{FAKE}==1.0 -> {FAKE}==2.0"
    assert "with x = 3" in got["fake-old"].detail  # the free name x took the first candidate
    assert "DeprecationWarning: old() is deprecated" in got["fake-old"].detail

    assert got["fake-scale"].status == "unsafe"
    assert "8" in got["fake-scale"].detail and "12" in got["fake-scale"].detail

    assert got["fake-old-to-missing"].status == "rejected"
    assert "AttributeError" in got["fake-old-to-missing"].detail
    assert f"{FAKE}==2.0" in got["fake-old-to-missing"].detail

    assert got["fake-before-history"].status == "unverified"
    assert "no release before 1.0" in got["fake-before-history"].detail


def test_a_distribution_without_releases_is_unverified(builder: EnvBuilder) -> None:
    with pytest.raises(EnvUnavailable, match="pip could not install it"):
        builder.for_release("apimig-no-such-dist==1.0", "apimig_no_such_dist")
    again = pytest.raises(EnvUnavailable, builder.for_release, "apimig-no-such-dist==1.0", "apimig_no_such_dist")
    assert "pip could not install it" in str(again.value)  # the failure is cached with its reason


def test_envs_are_reused_across_runs(builder: EnvBuilder) -> None:
    first = builder.for_release(f"{FAKE}==1.0", FAKE)
    marker = first.path / "apimig-env.json"
    stamp = marker.stat().st_mtime_ns
    assert builder.for_release(f"{FAKE}==1.0", FAKE).path == first.path
    assert marker.stat().st_mtime_ns == stamp


def test_cli_writes_the_verdicts_into_the_pack_keeping_every_other_line(
        builder: EnvBuilder, wheelhouse: Path, pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = pack.read_text(encoding="utf-8").splitlines()
    code = main(["verify", str(pack), "--write", "--no-index", "--find-links", str(wheelhouse),
                 "--cache", str(builder.cache)])
    out = capsys.readouterr()
    assert code == 1  # a rejected rule must not ship
    assert "rejected   fake-old-to-missing" in out.out
    after = pack.read_text(encoding="utf-8").splitlines()
    added = [line for line in after if line.startswith("  verification:")]
    assert len(added) == 4
    assert [line for line in after if not line.startswith("  verification:")] == before
    statuses = {r.id: r.verification.status for r in load_pack_text("\n".join(after), pack) if r.verification}
    assert statuses == {"fake-old": "safe", "fake-scale": "unsafe", "fake-old-to-missing": "rejected",
                        "fake-before-history": "unverified"}
    assert yaml.safe_load(pack.read_text(encoding="utf-8"))[0]["verification"]["status"] == "safe"


def test_cli_rule_filter_and_unknown_rule(builder: EnvBuilder, wheelhouse: Path, pack: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--no-index", "--find-links", str(wheelhouse), "--cache", str(builder.cache)]
    assert main(["verify", str(pack), "--rule", "fake-old", *common]) == 0
    out = capsys.readouterr().out
    assert "safe       fake-old " in out and "fake-scale" not in out
    assert main(["verify", str(pack), "--rule", "nope", *common]) == 2
    assert "no rule nope" in capsys.readouterr().err
    assert main(["verify", str(pack), "--rule", "fake-old", "--releases", f"{FAKE}=2.0", *common]) == 0
    assert "no release before 2.0" in capsys.readouterr().out  # only the listed releases are considered
    assert main(["verify", str(pack), "--rule", "fake-old", "--releases", f"{FAKE}", *common]) == 2
    assert "is not LIB=V1,V2" in capsys.readouterr().err


def test_standard_library_rules_run_on_python_itself(builder: EnvBuilder) -> None:
    import sys

    from packaging.version import Version

    from apimig.migrator.rules.loader import rule_from_dict

    here = Version(f"{sys.version_info.major}.{sys.version_info.minor}")
    raw = {"id": "stdlib-getname", "library": "stdlib", "kind": "method-rename", "old": "threading.Thread.getName",
           "receiver": "threading.Thread", "fix": {"rename": "threading.Thread.name"}, "message": "m",
           "deprecated_in": "3.10", "source": "https://docs.python.org/3/library/threading.html",
           "cases": [{"bad": "import threading\nt = threading.Thread(name='w')\nn = t.getName()\n",
                      "good": "import threading\nt = threading.Thread(name='w')\nn = t.name\n"},
                     {"noop": "x"}]}
    result = Prover(builder, {"stdlib": [here]}).verify(rule_from_dict(raw))
    assert (result.status, result.env) == ("safe", f"python {here} -> python {here}")
    assert "DeprecationWarning: getName() is deprecated" in result.detail


def test_a_distribution_a_case_imports_is_added_to_its_envs(builder: EnvBuilder) -> None:
    from apimig.migrator.rules.loader import rule_from_dict

    raw = {"id": "fake-old-extra", "library": FAKE, "kind": "rename", "old": f"{FAKE}.old",
           "fix": {"rename": f"{FAKE}.new"}, "message": "m", "removed_in": "2.0", "source": "https://example.org",
           "cases": [{"bad": f"import {FAKE}, apimigextra\ny = {FAKE}.old(apimigextra.VALUE)\n",
                      "good": f"import {FAKE}, apimigextra\ny = {FAKE}.new(apimigextra.VALUE)\n"}, {"noop": "x"}]}
    result = Prover(builder).verify(rule_from_dict(raw))
    assert (result.status, result.env) == ("safe", f"{FAKE}==1.0 -> {FAKE}==2.0 with apimigextra")
