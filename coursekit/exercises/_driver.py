"""Driving one student's kernel: started in a sandbox, reached only through the grader's own sockets.

A :class:`Kernel` starts ipykernel through nbclient with the *ipc* transport (Unix sockets in a
private runtime folder: the sandbox has no network), wrapped in the bubblewrap command of
:mod:`coursekit.exercises._sandbox`. It keeps nothing a student prints: only the execute reply's
status and the one display message of the result MIME type are read, every inbound message is capped
(``zmq.MAXMSGSIZE``: a larger one closes that channel, never held), and comm/widget traffic is
ignored. What the notebook prints goes to ``/dev/null`` inside the kernel (:data:`_QUIET`). :meth:`Kernel.stop` kills the sandbox, and with it every process started in it.
"""

from __future__ import annotations

import asyncio
import math
import os
import secrets
import shutil
import sys
import tempfile

from ._runner import RESULT_MIME
from ._sandbox import SOCKET_PREFIX, Limits, ProcessGroupLimit, command, sandbox_root
from ._wire import MAX_RESULT_CHARS

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_PROBE_TIMEOUT = 5
# Run in the kernel before the notebook: what it prints goes to /dev/null and a cell's last expression
# is not displayed, so that ordinary output never travels (the grader would drop it anyway). Output
# sent around this still meets the socket's size cap.
_QUIET = ["import sys as _ck_sys, os as _ck_os",
          "_ck_sys.stdout = _ck_sys.stderr = open(_ck_os.devnull, 'w')",
          "get_ipython().ast_node_interactivity = 'none'",
          "del _ck_sys, _ck_os"]
TIMEOUT_ENAME = "CoursekitCellTimeout"
# After a cell's reply, how long its output (the result, then "idle") may take to arrive. Longer means
# the output channel is gone: a message over the size cap closes it for good (a ZeroMQ protocol error).
_IOPUB_TIMEOUT = 5
OUTPUT_LOST = (f"the kernel's output channel closed: a cell sent one message larger than the grader accepts "
               f"({(MAX_RESULT_CHARS >> 20) + 1} MB)")


# The grader's own first cell: the runner package is loaded fresh under a private name, its handle kept
# on sys and the package dropped from sys.modules (coursekit.exercises._preload); then the threads and
# processes the kernel has before any student code. Braces doubled: str.format.
_PREPARE = """\
import sys as _s
from IPython.display import publish_display_data as _p
import zmq.utils.garbage as _g
if not _g.gc.is_alive():
    _g.gc.start()       # pyzmq starts it lazily
def _ck_load(name, path):
    import importlib, types
    package = types.ModuleType(name)
    package.__path__ = [path]
    _s.modules[name] = package
    try:
        importlib.import_module(name + "._runner")
        handle = importlib.import_module(name + "._preload").prepare(name)
        processes = [int(p) for p in importlib.import_module(name + "._bans").live_processes()]
    finally:
        for key in [k for k in _s.modules if k == name or k.startswith(name + ".")]:
            del _s.modules[key]
    setattr(_s, name, handle)
    return handle, processes
_h = _ck_load({name!r}, {path!r})
_p({{{mime!r}: {{'nonce': {nonce!r}, 'threads': sorted(_s._current_frames()), 'processes': sorted(_h[1]),
                'handle': id(_h[0])}}}})
del _s, _p, _g, _h, _ck_load
"""


def _client_class():
    from nbclient import NotebookClient

    class QuietClient(NotebookClient):
        """An nbclient that keeps only the grader's result message of each cell."""

        def output(self, outs, msg, display_id, cell_index):
            if msg.get("msg_type") == "display_data":
                data = msg.get("content", {}).get("data", {})
                if isinstance(data, dict) and RESULT_MIME in data and len(outs) < 2:
                    outs.append({"output_type": "display_data", "data": {RESULT_MIME: data[RESULT_MIME]}})
            return None

        def handle_comm_msg(self, outs, msg, cell_index):
            return None

        async def _async_handle_timeout(self, timeout, cell=None):
            self.timed_out = True           # so that the missing "idle" afterwards is not taken for a lost channel
            return await super()._async_handle_timeout(timeout, cell)

    return QuietClient


def _manager_class():
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class SandboxedKernelManager(AsyncKernelManager):
        """ipykernel from this environment, optionally inside the sandbox command."""

        wrap = None         # argv -> argv

        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                          "--HistoryManager.enabled=False", "--IPKernelApp.trio_loop=False",
                          "--IPKernelApp.capture_fd_output=False", f"--IPKernelApp.exec_lines={_QUIET!r}"],
                    display_name="coursekit grading", language="python", interrupt_mode="message")
            return self._kernel_spec

        def client(self, **kwargs):
            kwargs.setdefault("context", self.context)      # so that its sockets get the size cap
            return super().client(**kwargs)

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            return self.wrap(cmd) if self.wrap else cmd

    return SandboxedKernelManager


class Kernel:
    """One student's kernel, in a sandbox unless ``sandbox=False``."""

    def __init__(self, sandbox: bool = True, limits: Limits | None = None, startup_timeout: float = 60.0):
        self.sandbox = sandbox
        self.limits = limits or Limits()
        self.startup_timeout = startup_timeout
        self.client = None
        self.runtime = None
        self.group = None
        self.threads = None         # the kernel's own Python threads, listed before any student code ran
        self.processes = None       # the PIDs in the sandbox then (None unsandboxed: /proc lists the machine's)
        self.runner = None          # the attribute of sys holding the runner's handle (see _preload)
        self.handle = None          # the handle's id()

    async def start(self):
        import zmq
        import zmq.asyncio
        import nbformat
        self.runtime = tempfile.mkdtemp(prefix="coursekit-kernel-")
        os.chmod(self.runtime, 0o700)
        ip = SOCKET_PREFIX if self.sandbox else os.path.join(self.runtime, "kernel")
        km = _manager_class()(transport="ipc", ip=ip,
                              connection_file=os.path.join(self.runtime, "connection.json"),
                              context=zmq.asyncio.Context())
        km.context.setsockopt(zmq.MAXMSGSIZE, MAX_RESULT_CHARS + 2 ** 20)
        if self.sandbox:
            self.group = ProcessGroupLimit(self.limits.processes, self.limits.total_memory_bytes)
            km.wrap = lambda argv: command(argv, self.runtime, self.limits, self.group.procs_files)
        self.client = _client_class()(
            nbformat.v4.new_notebook(), km=km, allow_errors=True, interrupt_on_timeout=True,
            iopub_timeout=_IOPUB_TIMEOUT, raise_on_iopub_timeout=True,
            record_timing=False, startup_timeout=int(self.startup_timeout), shutdown_kernel="immediate",
            error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "cell timed out", "traceback": []})
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MPLBACKEND": "agg", "PYTHONDONTWRITEBYTECODE": "1"}
        cwd = self.runtime if not self.sandbox else "/"
        await self.client.async_start_new_kernel(cwd=cwd, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                 stderr=asyncio.subprocess.DEVNULL, stdin=asyncio.subprocess.DEVNULL)
        if self.sandbox:
            km.ip = await self._sockets_outside(km)
        await self.client.async_start_new_kernel_client()
        await self._prepare()

    async def _prepare(self) -> None:
        """Before any student code: load the grading runner (:mod:`coursekit.exercises._preload`) and list
        the kernel's own Python threads and processes (the delegation check refuses a case while another
        runs unwatched: :mod:`coursekit.exercises._bans`)."""
        nonce, self.runner = secrets.token_hex(16), f"_coursekit_grader_{secrets.token_hex(8)}"
        status, results, message = await self.run(_PREPARE.format(
            name=self.runner, path=PACKAGE_DIR, mime=RESULT_MIME, nonce=nonce), _PROBE_TIMEOUT * 4)
        found = [r for r in results if isinstance(r, dict) and r.get("nonce") == nonce]
        listed = found[0] if status == "ok" and len(found) == 1 else {}
        lists = [listed.get("threads"), listed.get("processes")]
        if not all(isinstance(x, list) and all(isinstance(t, int) for t in x) for x in lists) \
                or not isinstance(listed.get("handle"), int):
            raise RuntimeError(f"the new kernel did not load the grading runner ({status}: {message})")
        self.threads, self.handle = lists[0], listed["handle"]
        self.processes = lists[1] if self.sandbox else None

    async def _sockets_outside(self, km) -> str:
        """The kernel's socket prefix as the grader reaches it: through the sandbox's ``/proc/<pid>/root``."""
        process = km.provisioner.process
        deadline = asyncio.get_running_loop().time() + self.startup_timeout
        while asyncio.get_running_loop().time() < deadline and process.poll() is None:
            root = sandbox_root(process.pid)
            if root and os.path.exists(f"{root}{SOCKET_PREFIX}-{km.shell_port}"):
                return root + SOCKET_PREFIX
            await asyncio.sleep(0.05)
        raise RuntimeError("the sandboxed kernel did not start (no sockets after "
                           f"{self.startup_timeout:g} s; exit code {process.poll()})")

    async def stop(self):
        client, self.client = self.client, None
        if client is not None:
            for step in (lambda: client.kc.stop_channels() if client.kc else None,
                         lambda: client.km.shutdown_kernel(now=True),
                         lambda: client.km.cleanup_resources()):
                try:
                    value = step()
                    if asyncio.iscoroutine(value):
                        await value
                except Exception:
                    pass
            try:
                client.km.context.destroy(linger=0)
            except Exception:
                pass
        if self.group is not None:
            self.group.close()
            self.group = None
        if self.runtime:
            shutil.rmtree(self.runtime, ignore_errors=True)
            self.runtime = None

    def kill(self) -> None:
        """Kill the kernel (the whole sandbox) at once; whatever waits on it sees a dead kernel."""
        process = getattr(getattr(getattr(self.client, "km", None), "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            try:
                process.kill()
            except OSError:
                pass
        if self.group is not None:
            self.group.kill()

    async def restart(self):
        await self.stop()
        await self.start()

    async def run(self, source: str, timeout: float):
        """Execute ``source``; return ``(status, results, message)``, status ok/error/timeout/dead.

        ``results`` are the payloads of the result-MIME display messages the cell sent (nothing else
        of what it printed or displayed is kept).
        """
        import nbformat
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
        client = self.client
        cell = nbformat.v4.new_code_cell(source)
        client.nb.cells = [cell]
        reply = {}
        client.on_cell_executed = lambda cell, cell_index, execute_reply: reply.update(
            content=(execute_reply or {}).get("content", {}))
        client.timeout = max(1, int(math.ceil(timeout)))
        client.timed_out = False
        try:
            await client.async_execute_cell(cell, 0, store_history=False)
        except DeadKernelError:
            return "dead", [], "the kernel died (did the code call os._exit or use up its memory?)"
        except CellTimeoutError as error:
            if client.timed_out:
                return "timeout", [], f"did not finish within {client.timeout} s"
            if "IOPub" in str(error):
                return "dead", [], OUTPUT_LOST
            return "error", [], f"CellTimeoutError: {str(error)[:200]}"
        except Exception as error:
            return "error", [], f"{type(error).__name__}: {str(error)[:200]}"
        finally:
            client.nb.cells = []
        results = [o["data"][RESULT_MIME] for o in cell.get("outputs", [])]
        content = reply.get("content", {})
        if content.get("status") == "error":
            if content.get("ename") == TIMEOUT_ENAME:
                return "timeout", results, f"did not finish within {client.timeout} s"
            return "error", results, f"{content.get('ename', 'Error')}: {str(content.get('evalue', ''))[:200]}"
        return "ok", results, ""

    async def responsive(self) -> bool:
        status, _, _ = await self.run("pass", _PROBE_TIMEOUT)
        return status == "ok"
