"""GitHub Actions matrix expansion: axes, exclude and include, as GitHub documents them."""

from __future__ import annotations

from auditor.parsing.workflow import parse_github_workflow


def _combos(matrix: str) -> list[dict[str, str]]:
    text = f"on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n{matrix}" \
           "    steps:\n      - run: echo\n"
    return list(parse_github_workflow(".github/workflows/ci.yml", text).matrices["build"])


def test_axes_multiply_and_exclude_removes() -> None:
    combos = _combos("        os: [ubuntu, mac]\n        node: [20, 22]\n"
                     "        exclude:\n          - {os: mac, node: 20}\n")
    assert combos == [{"os": "ubuntu", "node": "20"}, {"os": "ubuntu", "node": "22"}, {"os": "mac", "node": "22"}]


def test_include_extends_matching_combinations_or_adds_its_own() -> None:
    # GitHub's documented example: `color: green` joins every combination, `shape: circle` only those
    # with fruit apple, and the `banana` entry would overwrite an original value, so it stands alone.
    combos = _combos("        fruit: [apple, pear]\n        animal: [cat, dog]\n        include:\n"
                     "          - color: green\n          - {color: pink, animal: cat}\n"
                     "          - {fruit: apple, shape: circle}\n          - fruit: banana\n"
                     "          - {fruit: banana, animal: cat}\n")
    assert combos == [
        {"fruit": "apple", "animal": "cat", "color": "pink", "shape": "circle"},
        {"fruit": "apple", "animal": "dog", "color": "green", "shape": "circle"},
        {"fruit": "pear", "animal": "cat", "color": "pink"},
        {"fruit": "pear", "animal": "dog", "color": "green"},
        {"fruit": "banana"},
        {"fruit": "banana", "animal": "cat"},
    ]


def test_expression_matrix_is_not_expanded() -> None:
    assert parse_github_workflow(".github/workflows/ci.yml", (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n"
        "      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}\n    steps:\n      - run: echo\n")).matrices == {}


def test_a_huge_matrix_is_bounded() -> None:
    # Ten axes of 500 values would be 500**10 jobs; GitHub refuses more than 256, and so does the expansion.
    axes = "".join(f"        a{i}: [{', '.join(str(v) for v in range(500))}]\n" for i in range(10))
    combos = _combos(axes)
    assert len(combos) == 256
    assert combos[0] == {f"a{i}": "0" for i in range(10)}
