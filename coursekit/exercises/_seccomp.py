"""A seccomp filter for the grading sandbox: the system calls a graded kernel has no use for, refused.

bubblewrap applies a classic-BPF program given with ``--seccomp FD`` (the form ``seccomp_export_bpf``
writes). This module assembles that program in Python, so no libseccomp binding is needed:

* the **keyring** calls (``add_key``, ``request_key``, ``keyctl``): a process inherits its parent's
  session keyring, and namespaces do not separate it, so without this a submission could read the
  instructor's keys and leave keys for the next submission to read;
* calls that only widen the kernel's attack surface: ``bpf``, ``perf_event_open``, ``userfaultfd``,
  ``io_uring_*``, ``ptrace``, and loading kernel modules or a new kernel.

Each fails with ``EPERM``; everything else is allowed. A process of another architecture than the
one the filter was built for is killed, and on x86-64 the x32 ABI (system call numbers with bit 30
set) is refused, so the numbers cannot be reached under another name.
"""

from __future__ import annotations

import platform
import struct

#: Refused system calls, by name.
REFUSED = ("add_key", "request_key", "keyctl", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
           "io_uring_enter", "io_uring_register", "ptrace", "kexec_load", "kexec_file_load", "init_module",
           "finit_module", "delete_module")

#: Per machine: the audit architecture seccomp reports, and the numbers of the refused calls
#: (x86-64: asm/unistd_64.h; aarch64: asm-generic/unistd.h).
_ARCHES = {
    "x86_64": (0xC000003E, {"add_key": 248, "request_key": 249, "keyctl": 250, "bpf": 321, "perf_event_open": 298,
                            "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
                            "io_uring_register": 427, "ptrace": 101, "kexec_load": 246, "kexec_file_load": 320,
                            "init_module": 175, "finit_module": 313, "delete_module": 176}),
    "aarch64": (0xC00000B7, {"add_key": 217, "request_key": 218, "keyctl": 219, "bpf": 280, "perf_event_open": 241,
                             "userfaultfd": 282, "io_uring_setup": 425, "io_uring_enter": 426,
                             "io_uring_register": 427, "ptrace": 117, "kexec_load": 104, "kexec_file_load": 294,
                             "init_module": 105, "finit_module": 273, "delete_module": 106}),
}

# classic BPF, as in <linux/filter.h> and <linux/seccomp.h>
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ALLOW, _KILL_PROCESS, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_EPERM = 1
_NR, _ARCH = 0, 4                    # offsets of the call number and the architecture in seccomp_data
_X32_BIT = 0x40000000


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine: str | None = None) -> bytes | None:
    """The filter for ``machine`` (default: this one) as bytes, or ``None`` for an unknown machine."""
    machine = machine or platform.machine()
    if machine not in _ARCHES:
        return None
    arch, numbers = _ARCHES[machine]
    refused = [numbers[name] for name in REFUSED]
    ops = [_op(_LD_W_ABS, _ARCH), _op(_JEQ_K, arch, jt=1), _op(_RET_K, _KILL_PROCESS), _op(_LD_W_ABS, _NR)]
    if machine == "x86_64":
        ops.append(_op(_JGE_K, _X32_BIT, jt=len(refused) + 1))        # x32 numbers: straight to EPERM
    for i, number in enumerate(refused):                                # a match jumps to the EPERM return
        ops.append(_op(_JEQ_K, number, jt=len(refused) - i))
    ops += [_op(_RET_K, _ALLOW), _op(_RET_K, _ERRNO | _EPERM)]
    return b"".join(ops)
