#!/usr/bin/env python3
"""Binding figures of a pretraining run's quick evaluations, against training time (issue 19's curves).

Reads RUN/eval_curve.jsonl and RUN/samples/step_N/results.jsonl (written by `flowtune pretrain --eval-every N`) and
prints, per quick evaluation: training minutes, overall accuracy, and for position and colour attribution the share of
images with both objects drawn and the share bound right among those (the protocol of `flowtune eval
--binding-report`, on the quick evaluation's prompts, so with its larger noise). Standard library only.

usage: python3 tools/binding_curve.py RUN_DIR [RUN_DIR ...]
"""
import json
import os
import sys


def binding(results, tag):
    rows = [r for r in results if r["tag"] == tag]
    both = [r for r in rows if r["correct"] or all(c != "missing_objects" for c in (r.get("causes") or [r["cause"]]))]
    right = [r for r in both if r["correct"]]
    share = lambda a, b: f"{100 * len(a) / len(b):5.1f} %" if b else "  n/a  "
    return share(both, rows), share(right, both), len(rows)


def main(runs):
    for run in runs:
        print(f"== {run}")
        print("step    minutes  overall  position: both drawn / relation right | color_attr: both drawn / colours right")
        curve = [json.loads(line) for line in open(os.path.join(run, "eval_curve.jsonl")) if line.strip()]
        last = {}
        for point in curve:
            last[point["step"]] = point  # a resumed run may repeat a step: keep its last record
        for step in sorted(last):
            point = last[step]
            path = os.path.join(run, "samples", f"step_{step:06d}", "results.jsonl")
            if not os.path.exists(path):
                continue
            results = [json.loads(line) for line in open(path) if line.strip()]
            pb, pr, pn = binding(results, "position")
            cb, cr, cn = binding(results, "color_attr")
            print(f"{step:6d} {point['train_minutes']:8.1f} {100 * point['overall']:6.1f} %  {pb} / {pr} ({pn})  |  {cb} / {cr} ({cn})")


if __name__ == "__main__":
    args = sys.argv[1:]
    missing = [a for a in args if not os.path.isfile(os.path.join(a, "eval_curve.jsonl"))]
    if not args or missing:
        sys.exit(__doc__ + "".join(f"\nnot a pretraining run with quick evaluations: {a}" for a in missing))
    main(args)
