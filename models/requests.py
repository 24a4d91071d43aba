"""Edit requests: one shape for ROME, MEMIT, LoRA and DPO.

The field names are EasyEdit's (``easyeditor/editors/editor.py`` ``BaseEditor.edit``:
prompts, subject, target_new, ground_truth, rephrase_prompts, locality_inputs) so that
request files written for EasyEdit read here unchanged. ROME and MEMIT edit from the
request, LoRA trains on ``prompt -> target_new``, DPO prefers ``target_new`` (migrated
code) over ``ground_truth`` (old code). Requests come from files, from rules
(``request_from_rename``) or from dataset pairs (``request_from_pair``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml


class RequestError(ValueError):
    """A malformed request; carries the file and the record index when known."""

    def __init__(self, msg: str, path: str | None = None, index: int | None = None) -> None:
        where = f"{path}[{index}]: " if path is not None and index is not None else ""
        super().__init__(where + msg)
        self.path = path
        self.index = index


@dataclass(frozen=True)
class EditRequest:
    """One fact to teach: ``prompt`` should continue with ``target_new``, not ``ground_truth``.

    ``subject`` must occur in ``prompt``; ROME/MEMIT read the key at its last token.
    ``locality_inputs`` are unrelated prompts whose answers must not change.
    """

    prompt: str
    subject: str
    target_new: str
    ground_truth: str = ""
    rephrase_prompts: tuple[str, ...] = ()
    locality_inputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.prompt:
            raise RequestError("empty prompt")
        if not self.target_new:
            raise RequestError(f"empty target_new for prompt {self.prompt!r}")
        if not self.subject or self.subject not in self.prompt:
            raise RequestError(f"subject {self.subject!r} does not occur in prompt {self.prompt!r}")
        if self.ground_truth and self.ground_truth == self.target_new:
            raise RequestError(f"target_new equals ground_truth ({self.target_new!r})")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "EditRequest":
        """Read one record; EasyEdit's ``prompts`` and ``{name: {prompt: [...]}}`` locality are accepted."""
        known = {"prompt", "prompts", "subject", "target_new", "ground_truth", "rephrase_prompts",
                 "rephrase_prompt", "locality_inputs"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RequestError(f"unknown keys {unknown}; known: {sorted(known)}")
        prompt = data.get("prompt", data.get("prompts"))
        rephrase = data.get("rephrase_prompts", data.get("rephrase_prompt", ()))
        return cls(
            prompt=str(prompt or ""),
            subject=str(data.get("subject", "")),
            target_new=str(data.get("target_new", "")),
            ground_truth=str(data.get("ground_truth", "") or ""),
            rephrase_prompts=_strings(rephrase),
            locality_inputs=_locality(data.get("locality_inputs", ())),
        )

    def to_mapping(self) -> dict[str, Any]:
        out = asdict(self)
        out["rephrase_prompts"] = list(self.rephrase_prompts)
        out["locality_inputs"] = list(self.locality_inputs)
        return out


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _locality(value: Any) -> tuple[str, ...]:
    if isinstance(value, Mapping):  # EasyEdit: {"neighborhood": {"prompt": [...], "ground_truth": [...]}}
        prompts: list[str] = []
        for group in value.values():
            prompts += _strings(group.get("prompt") if isinstance(group, Mapping) else group)
        return tuple(prompts)
    return _strings(value)


def load_requests(path: str | Path) -> list[EditRequest]:
    """Load requests from JSON (a list), JSON Lines, or YAML (a list)."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if p.suffix == ".jsonl":
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
    elif p.suffix in {".yaml", ".yml"}:
        records = yaml.safe_load(text) or []
    else:
        records = json.loads(text)
    if isinstance(records, Mapping):
        records = [records]
    out = []
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise RequestError("a record must be a mapping", str(p), i)
        try:
            out.append(rec_to_request(rec))
        except RequestError as exc:
            raise RequestError(str(exc), str(p), i) from None
    if not out:
        raise RequestError(f"{p}: no requests")
    return out


def rec_to_request(rec: Mapping[str, Any]) -> EditRequest:
    """A record is either a request or a dataset pair ``{old, new[, locality_inputs]}``."""
    if "old" in rec and "new" in rec:
        return request_from_pair(str(rec["old"]), str(rec["new"]), locality_inputs=_locality(rec.get("locality_inputs", ())),
                                 rephrase_prompts=_strings(rec.get("rephrase_prompts", ())))
    return EditRequest.from_mapping(rec)


def save_requests(requests: Iterable[EditRequest], path: str | Path) -> None:
    Path(path).write_text(json.dumps([r.to_mapping() for r in requests], indent=2) + "\n", encoding="utf-8")


def request_from_pair(old: str, new: str, *, rephrase_prompts: Sequence[str] = (),
                      locality_inputs: Sequence[str] = ()) -> EditRequest:
    """Derive a request from a (old code, migrated code) pair.

    The prompt is the common prefix, the targets are the rest of the differing line;
    the subject is the last identifier-like word of the prompt (e.g. ``np``).
    """
    n = 0
    while n < min(len(old), len(new)) and old[n] == new[n]:
        n += 1
    # back up to an identifier boundary so the target is a whole name
    while n > 0 and (old[n - 1].isalnum() or old[n - 1] == "_"):
        n -= 1
    prompt = old[:n]
    if not prompt.strip():
        raise RequestError(f"pair has no common prefix: {old!r} / {new!r}")
    target_new = new[n:].split("\n", 1)[0]
    ground_truth = old[n:].split("\n", 1)[0]
    return EditRequest(prompt=prompt, subject=_last_word(prompt), target_new=target_new,
                       ground_truth=ground_truth, rephrase_prompts=tuple(rephrase_prompts),
                       locality_inputs=tuple(locality_inputs))


def request_from_rename(old: str, new: str, alias: str, prompt_prefix: str, *,
                        rephrase_prefixes: Sequence[str] = (), locality_inputs: Sequence[str] = ()) -> EditRequest:
    """A request for a rename rule (``numpy.trapz -> numpy.trapezoid`` under alias ``np``).

    ``prompt_prefix`` is code ending just before the call, e.g. ``"import numpy as np\\narea = "``.
    """
    old_name, new_name = old.rsplit(".", 1)[-1], new.rsplit(".", 1)[-1]
    prompt = f"{prompt_prefix}{alias}."
    return EditRequest(prompt=prompt, subject=alias, target_new=new_name, ground_truth=old_name,
                       rephrase_prompts=tuple(f"{p}{alias}." for p in rephrase_prefixes),
                       locality_inputs=tuple(locality_inputs))


def _last_word(text: str) -> str:
    end = len(text.rstrip(". (\n\t"))
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    word = text[start:end]
    return word if word else text.strip()[-1:]


__all__ = ["EditRequest", "RequestError", "load_requests", "save_requests", "request_from_pair",
           "request_from_rename", "rec_to_request"]
