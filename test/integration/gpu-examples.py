"""The GPU kernels of every example spec, both head dimensions, through the
vendor's assembler: ptxas (NVIDIA) or LLVM's AMDGPU backend and ld.lld (AMD).

    gpu-examples.py nvidia|amd ATTN_COMPILE SPECS_DIR OUT_DIR

Each example spec is compiled with attn-compile --target=sm_80,sm_90 (or
gfx90a,gfx942) at head dimension 64 and 128 (--head-dim; specs in f32 are
compiled in bf16, since the matrix units take 16-bit inputs; specs that
--head-dim cannot resize, linear attention, at their own),
function by function where the backend rejects some of a spec's functions.
Prints one line per spec and head dimension, then the functions the backend
rejects (with its diagnostic) and a summary. Every compiled kernel must have
0 bytes of spills: ptxas's spill stores and loads on NVIDIA; on AMD the HSACO
metadata's scratch bytes and VGPR spills (SGPRs spilled to VGPR lanes use no
memory), with a VGPR count within the chip's limit. Two compilations run at a time.
"""

import concurrent.futures
import os
import re
import subprocess
import sys

vendor, attn_compile, specs_dir, out_dir = sys.argv[1:5]
chips = {'nvidia': ['sm_80', 'sm_90'], 'amd': ['gfx90a', 'gfx942']}[vendor]
backend = {'nvidia': 'NVIDIA', 'amd': 'AMD'}[vendor]


def spill_bytes(stdout):
    """The spills attn-compile reported for each chip, or None for a chip
    without a report."""
    if vendor == 'nvidia':
        found = {chip: int(n) for chip, n in re.findall(
            r'ptxas (sm_\d+): (\d+) bytes of spill', stdout)}
        return [found.get(chip) for chip in chips]
    found = {}
    for chip, vgprs, limit, scratch, spills in re.findall(
            r'amdgpu (gfx\w+): \d+ kernels?, at most (\d+) VGPRs of (\d+), '
            r'(\d+) bytes of scratch, (\d+) VGPR spills', stdout):
        # A VGPR count over the limit counts as a spill.
        found[chip] = int(scratch) + int(spills) + (
            1 if int(vgprs) > int(limit) else 0)
    return [found.get(chip) for chip in chips]


def functions_of(spec):
    return re.findall(r'func\.func\s+@([A-Za-z0-9_]+)', open(spec).read())


def compile_one(spec, head_dim, function):
    stem = os.path.basename(spec)[:-5]
    out = os.path.join(out_dir, f'{stem}.{head_dim}.{function or "all"}')
    base = [attn_compile, spec, '--target=' + ','.join(chips), '-o', out,
            f'--head-dim={head_dim}']
    if function:
        base.append(f'--func={function}')
    result = subprocess.run(base, capture_output=True, text=True)
    if '--head-dim: @' in result.stderr:
        # Linear attention: the backend's own verdict, at the
        # spec's head dimension.
        base.remove(f'--head-dim={head_dim}')
        result = subprocess.run(base, capture_output=True, text=True)
    if 'element type other than f16 or bf16' in result.stderr:
        result = subprocess.run(base + ['--dtype=bf16'], capture_output=True,
                                text=True)
    return result


def check(spec, head_dim):
    """(lines, compiled kernels, spill bytes, rejected [(function, why)])."""
    stem = os.path.basename(spec)
    result = compile_one(spec, head_dim, None)
    runs = [(None, result)]
    if result.returncode != 0:
        runs = [(f, compile_one(spec, head_dim, f)) for f in functions_of(spec)]
    compiled, spills, rejected, crashed = 0, 0, [], []
    for function, run in runs:
        if run.returncode == 0:
            compiled += len(functions_of(spec)) if function is None else 1
            reported = spill_bytes(run.stdout)
            spills += sum(n for n in reported if n is not None)
            if None in reported:
                crashed.append((function, 'no spill report for every chip'))
        elif 'does not lower yet' in run.stderr or \
                'is not lowered by' in run.stderr:
            why = re.search(r"error: (.*)", run.stderr)
            rejected.append((function, why.group(1) if why else '?'))
        else:
            crashed.append((function, run.stderr.strip().splitlines()[-1:]))
    return stem, head_dim, compiled, spills, rejected, crashed


specs = sorted(os.path.join(specs_dir, f) for f in os.listdir(specs_dir)
               if f.endswith('.mlir'))
jobs = [(s, d) for s in specs for d in (64, 128)]
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    results = list(pool.map(lambda job: check(*job), jobs))
total_compiled = total_spills = total_rejected = total_failed = 0
reasons = {}
for stem, head_dim, compiled, spills, rejected, crashed in results:
    print(f'{stem} D={head_dim}: {compiled} compiled, {spills} bytes of '
          f'spills, {len(rejected)} rejected, {len(crashed)} failed')
    for function, why in crashed:
        print(f'  FAILED {stem} @{function}: {why}')
    for function, why in rejected:
        key = re.sub(r"'attn\.\w+' op ", '', why)
        reasons.setdefault(key, set()).add(f'{stem[:-5]}' + (
            f'@{function}' if function else ''))
    total_compiled += compiled
    total_spills += spills
    total_rejected += len(rejected)
    total_failed += len(crashed)
print(f'rejected by the {backend} backend (both head dimensions):')
for why, where in sorted(reasons.items()):
    print(f'  {why}: {", ".join(sorted(where))}')
print(f'{total_compiled} kernels compiled for {" and ".join(chips)}, '
      f'{total_spills} bytes of spills, {total_rejected} rejected, '
      f'{total_failed} failed')
