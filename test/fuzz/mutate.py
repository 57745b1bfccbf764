#!/usr/bin/env python3
"""Feeds mutated example specs to attn-opt (and the ones that still parse to
attn-run) and fails on any crash, hang or silent failure.

Every mutant must end in one of two ways: the tool exits 0, or it exits
non-zero having printed an error diagnostic. A signal, a time-out, or a
non-zero exit with no diagnostic is a failure. The mutations are seeded, so a
failure reproduces: the failing mutant is written next to the report.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

TOKEN = re.compile(r"\s+|[A-Za-z_#%@^][\w.$#-]*|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|.",
                   re.S)
EXTREME_NUMBERS = ["0", "-1", "1", "-0", "2147483648", "9223372036854775807",
                   "-9223372036854775808", "99999999999999999999", "1e309",
                   "nan", "0.0", "-3.5", "65536"]
SPECIAL = list("[]{}()<>:,=%@#^\"?x") + ["->", "\n", " "]


def tokens(text):
    return TOKEN.findall(text)


def mutate(text, rng):
    """One random mutation of `text` (and a name for the report)."""
    kind = rng.choice(["truncate", "flip", "swap", "delete", "duplicate",
                       "number", "special"])
    if kind == "truncate":
        return kind, text[: rng.randrange(len(text))]
    if kind == "flip":
        data = bytearray(text.encode())
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return kind, data.decode("utf-8", errors="replace")
    toks = tokens(text)
    words = [k for k, t in enumerate(toks) if not t.isspace()]
    if not words:
        return kind, text
    a, b = rng.choice(words), rng.choice(words)
    if kind == "swap":
        toks[a], toks[b] = toks[b], toks[a]
    elif kind == "delete":
        del toks[a]
    elif kind == "duplicate":
        toks.insert(a, toks[b])
    elif kind == "number":
        numbers = [k for k in words if re.fullmatch(r"-?\d.*", toks[k])]
        if numbers:
            toks[rng.choice(numbers)] = rng.choice(EXTREME_NUMBERS)
        else:
            toks[a] = rng.choice(EXTREME_NUMBERS)
    else:
        toks[a] = rng.choice(SPECIAL)
    return kind, "".join(toks)


def run(command, text, timeout):
    try:
        done = subprocess.run(command, input=text.encode(), capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timed out after %ss" % timeout, None
    stderr = done.stderr.decode(errors="replace")
    if done.returncode < 0:
        return "killed by signal %d" % -done.returncode, stderr
    if done.returncode != 0 and "error" not in stderr:
        return "exit %d without a diagnostic" % done.returncode, stderr
    return None, done.returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--attn-opt", required=True)
    parser.add_argument("--attn-run")
    parser.add_argument("--specs", required=True)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report-dir", default=tempfile.gettempdir())
    args = parser.parse_args()

    specs = sorted(os.path.join(args.specs, f) for f in os.listdir(args.specs)
                   if f.endswith(".mlir"))
    if not specs:
        print("no specs in", args.specs)
        return 1
    texts = [open(p).read() for p in specs]
    rng = random.Random(args.seed)
    failures = parsed = ran = 0
    for n in range(args.count):
        which = rng.randrange(len(specs))
        kind, mutant = mutate(texts[which], rng)
        problem, outcome = run([args.attn_opt, "-"], mutant, 30)
        tool = "attn-opt"
        if problem is None and outcome == 0:
            parsed += 1
            if args.attn_run and n % 2 == 0:
                # Evaluate a valid mutant: its first function, small sizes.
                with tempfile.NamedTemporaryFile("w", suffix=".mlir",
                                                 delete=False) as f:
                    f.write(mutant)
                names = re.findall(r"func\.func @([\w$.]+)", mutant)
                command = [args.attn_run, f.name, "--reference",
                           "--shape", "B=1,SQ=8,SKV=8"]
                if names:
                    command += ["--func", names[0]]
                problem, _ = run(command, "", 60)
                tool = "attn-run"
                ran += 1
                os.unlink(f.name)
        if problem:
            failures += 1
            path = os.path.join(args.report_dir, "fuzz-failure-%d.mlir" % n)
            with open(path, "w") as f:
                f.write(mutant)
            print("FAIL mutant %d (%s of %s): %s %s; written to %s" %
                  (n, kind, os.path.basename(specs[which]), tool, problem, path))
    print("%d mutants of %d specs: %d parsed (%d evaluated), %d failures" %
          (args.count, len(specs), parsed, ran, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
