# attn-compile on every example spec: each either compiles (header, glue and
# object written) or is rejected with a diagnostic and exit code 1, never a
# crash; and each takes under the time limit. The time measured is the CPU
# time of the attn-compile process (user + system), which other jobs on a
# loaded machine barely change, unlike the wall time.
#
# Usage: attn-compile-examples.py ATTN_COMPILE SPEC_DIR OUT_DIR [LIMIT_S]

import os
import subprocess
import sys
import time


def main():
    tool, spec_dir, out_dir = sys.argv[1:4]
    limit = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
    compiled = rejected = failed = 0
    slowest = (0.0, "")
    over = []
    for name in sorted(os.listdir(spec_dir)):
        if not name.endswith(".mlir"):
            continue
        stem = name[: -len(".mlir")]
        target = os.path.join(out_dir, stem)
        log_path = os.path.join(out_dir, stem + ".log")
        with open(log_path, "w") as log:
            start = time.monotonic()
            process = subprocess.Popen(
                [tool, os.path.join(spec_dir, name), "--target=cpu", "-o", target],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            wall = time.monotonic() - start
        cpu = usage.ru_utime + usage.ru_stime
        with open(log_path) as log:
            output = log.read()
        errors = [line for line in output.splitlines() if "error:" in line]
        code = process.returncode
        if code == 0 and all(
            os.path.getsize(os.path.join(target, stem + ext)) > 0
            for ext in (".h", ".c", ".o")
        ):
            compiled += 1
            verdict = "compiled"
        elif code == 1 and errors:
            rejected += 1
            verdict = "rejected: " + errors[0].split("error: ", 1)[1]
        else:
            failed += 1
            verdict = "FAILED (exit code %d):\n%s" % (code, output)
        print("%-45s %5.2f s cpu %5.2f s wall  %s" % (name, cpu, wall, verdict))
        slowest = max(slowest, (cpu, name))
        if cpu > limit:
            over.append(name)
    print(
        "%d compiled, %d rejected with a diagnostic, %d failed"
        % (compiled, rejected, failed)
    )
    print("slowest: %s, %.2f s cpu" % (slowest[1], slowest[0]))
    print("over %.1f s: %s" % (limit, ", ".join(over) if over else "none"))
    return 1 if failed or over else 0


if __name__ == "__main__":
    sys.exit(main())
