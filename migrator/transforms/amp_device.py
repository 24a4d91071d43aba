"""Rewrite the device-specific AMP entry points to the device-generic ones.

``torch.cuda.amp.autocast(...)`` becomes ``torch.autocast("cuda", ...)`` (the same class as
``torch.amp.autocast``, public since torch 1.10) and ``torch.cuda.amp.GradScaler(...)`` becomes
``torch.amp.GradScaler("cuda", ...)`` (torch 2.3+).

Why a transform and not a template: ``torch.cuda.amp.autocast(enabled, dtype, cache_enabled)``
and ``torch.amp.autocast(device_type, dtype, enabled, cache_enabled)`` bind positional arguments
in a different order, so positional arguments become keywords; and a call without arguments
must not end up as ``autocast("cuda", )``. ``GradScaler`` keeps its order after the device.

Source: https://github.com/pytorch/pytorch/releases/tag/v2.4.0 (FutureWarning text:
"`torch.cuda.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast('cuda', args...)`").
"""

from __future__ import annotations

import libcst as cst

from . import TransformContext, transform

_AUTOCAST_POSITIONAL = ("enabled", "dtype", "cache_enabled")
_NO_SPACE = cst.SimpleWhitespace("")


def _as_keyword(arg: cst.Arg, name: str) -> cst.Arg:
    return arg.with_changes(
        keyword=cst.Name(name),
        equal=cst.AssignEqual(whitespace_before=_NO_SPACE, whitespace_after=_NO_SPACE),
    )


def _with_device(
    call: cst.Call, ctx: TransformContext, qname: str, device: str, positional: tuple[str, ...] | None
) -> cst.Call | None:
    """``old(args)`` -> ``qname("device", args)``; positional args renamed to ``positional`` keywords."""
    args: list[cst.Arg] = []
    for index, arg in enumerate(call.args):
        if arg.star:  # *args / **kwargs: the binding is unknown
            return None
        if arg.keyword is None and positional is not None:
            if index >= len(positional):
                return None
            arg = _as_keyword(arg, positional[index])
        args.append(arg)
    device_arg = cst.Arg(value=cst.SimpleString(f'"{device}"'))
    return call.with_changes(func=cst.parse_expression(ctx.render(qname)), args=[device_arg, *args])


@transform("cuda-amp-autocast")
def cuda_amp_autocast(call: cst.Call, ctx: TransformContext) -> cst.Call | None:
    return _with_device(call, ctx, "torch.autocast", "cuda", _AUTOCAST_POSITIONAL)


@transform("cpu-amp-autocast")
def cpu_amp_autocast(call: cst.Call, ctx: TransformContext) -> cst.Call | None:
    return _with_device(call, ctx, "torch.autocast", "cpu", _AUTOCAST_POSITIONAL)


@transform("cuda-amp-grad-scaler")
def cuda_amp_grad_scaler(call: cst.Call, ctx: TransformContext) -> cst.Call | None:
    return _with_device(call, ctx, "torch.amp.GradScaler", "cuda", None)
