"""Prompt strategies, greedy generation and code extraction for model fixes.

Why data-file templates: the four strategies (basic, with_context, with_rules, cot) are
compared by the benchmark, so their wording lives in ``models/prompts/<strategy>.txt``
(``string.Template`` placeholders, so code braces need no escaping), not in code.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from importlib import resources
from typing import Any

from apimig.migrator.findings import Finding
from apimig.migrator.hybrid.proposer import STRATEGIES, region_lines
from apimig.migrator.hybrid.splice import is_import_line
from apimig.migrator.rules.schema import Rule

AFTER_MARK = "# After:"
CONTEXT_LINES = 20


def load_template(strategy: str) -> string.Template:
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; known: {', '.join(STRATEGIES)}")
    text = resources.files("apimig.models").joinpath("prompts", f"{strategy}.txt").read_text(encoding="utf-8")
    return string.Template(text)


def _replacement(rule: Rule | None) -> str:
    if rule is None:
        return "(none known)"
    spec = rule.fix
    if spec.rename:
        return f"`{rule.old}` -> `{spec.rename}`"
    if spec.template:
        return f"`{rule.old}(...)` -> `{spec.template}`"
    if spec.arg_rename or spec.arg_remove:
        parts = [f"{k}= -> {v}=" for k, v in spec.arg_rename.items()] + [f"drop {k}=" for k in spec.arg_remove]
        return f"`{rule.old}`: " + ", ".join(parts)
    return f"`{rule.old}` (see the reference)"


def prompt_fields(finding: Finding, source: str, rule: Rule | None) -> dict[str, str]:
    lines = source.splitlines()
    first, last = region_lines(finding)
    code = lines[first : last + 1]
    imports = [l for l in lines if is_import_line(l)]
    return {
        "imports": "\n".join(imports),
        "context": "\n".join(lines[max(0, first - CONTEXT_LINES) : first]),
        "code": "\n".join(code),
        "code_commented": "\n".join("# " + l for l in code),
        "old": (rule.old if rule else finding.snippet) or finding.rule_id,
        "library": finding.library,
        "message": finding.message,
        "replacement": _replacement(rule),
        "url": finding.source,
    }


def answer_prefix(finding: Finding, source: str) -> str:
    """The first region line up to the finding: forced, so the model only writes from the old API on."""
    first, _ = region_lines(finding)
    lines = source.splitlines()
    line = lines[first] if first < len(lines) else ""
    return line[: finding.start.col] if finding.start.line == first else re.match(r"\s*", line).group(0)  # type: ignore[union-attr]


def build_prompt(strategy: str, finding: Finding, source: str, rule: Rule | None) -> str:
    """The prompt text; ends where the model writes (after ``# After:`` and the forced prefix,
    or after ``# Reasoning:`` for ``cot``, whose prefix comes once the reasoning is written)."""
    text = load_template(strategy).safe_substitute(prompt_fields(finding, source, rule)).lstrip("\n")
    return text if strategy == "cot" else text + answer_prefix(finding, source)


def extract_code(output: str, *, max_lines: int = 8, prefix: str = "") -> str:
    """The code the model wrote: fenced code if any, else the lines after ``# After:``,
    else the leading non-comment lines, stopping at a blank line or a new comment block.
    ``prefix`` is the forced start of the first line, prepended to the continuation."""
    if prefix:
        output = prefix + output
    fence = re.search(r"```(?:python|py)?\n(.*?)(```|$)", output, re.S)
    if fence:
        output = fence.group(1)
    elif AFTER_MARK in output and not prefix:
        output = output.split(AFTER_MARK, 1)[1].lstrip("\n")
    kept: list[str] = []
    for line in output.splitlines():
        stripped = line.strip()
        if not kept and (not stripped or stripped.startswith("#")):
            continue  # leading reasoning/comments
        if kept and (not stripped or stripped.startswith("# ")):
            break
        kept.append(line.rstrip())
        if len(kept) >= max_lines:
            break
    return "\n".join(kept)


@dataclass(frozen=True)
class Generation:
    text: str  # decoded new tokens
    score: float  # mean probability of the generated tokens (greedy confidence)
    new_tokens: int


def generate(lm: Any, prompt: str, *, max_new_tokens: int = 64, num_candidates: int = 1,
             do_sample: bool = False) -> list[Generation]:
    """Greedy (or beam, when ``num_candidates`` > 1) continuation of ``prompt``."""
    import torch

    tok = lm.tokenizer
    enc = tok(prompt, return_tensors="pt").to(lm.device)
    kwargs: dict[str, Any] = dict(max_new_tokens=max_new_tokens, do_sample=do_sample,
                                  output_scores=True, return_dict_in_generate=True,
                                  pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
    if num_candidates > 1 and not do_sample:
        kwargs.update(num_beams=num_candidates, num_return_sequences=num_candidates)
    elif num_candidates > 1:
        kwargs.update(num_return_sequences=num_candidates)
    with torch.no_grad():
        out = lm.model.generate(**enc, **kwargs)
        scores = lm.model.compute_transition_scores(out.sequences, out.scores,
                                                    getattr(out, "beam_indices", None), normalize_logits=True)
    start = enc["input_ids"].shape[1]
    result = []
    for seq, trans in zip(out.sequences, scores):
        new = seq[start:]
        keep = new != tok.pad_token_id
        n = int(keep.sum())
        probs = trans[: len(new)][keep[: trans.shape[0]]].float().exp()
        score = float(probs.mean()) if probs.numel() else 0.0
        result.append(Generation(tok.decode(new, skip_special_tokens=True), score, n))
    return result
