"""cfn-lint on the synthesized template: no error."""

from __future__ import annotations

from cfnlint.api import ManualArgs, lint_file

from tests.infra.conftest import Synthesis


def test_cfn_lint_finds_no_error(synthesis: Synthesis) -> None:
    matches = lint_file(synthesis.template_path, ManualArgs(regions=["us-east-1"]))
    errors = [
        f"{m.rule.id} {m.message} ({m.path_string})" for m in matches if m.rule.id.startswith("E")
    ]
    assert errors == []
