"""Kernel lifetime: a kernel whose page is gone ends within a documented time.

Every page load starts (or takes from the pool) a kernel of 60-85 MB. A closed tab's shutdown
request is fixed in ``identity.py``; a page that never connects (a plain GET, a crashed
browser) or a laptop that went to sleep leaves a kernel nobody will use, so idle kernels with no
connection are culled (``MappingKernelManager.cull_*`` in ``notebooks/voila.json``:
``cull_connected`` and ``cull_busy`` stay false, so a connected page, mid-recording or not, is
never culled).

Culling alone breaks pre-heated kernels (measured, Voilà 0.5.13: 0 of 3 pages that got a pool
kernel which had waited longer than the timeout came up): a pool kernel is taken out of the pool
before the browser connects, and a culler tick in that gap sees an idle kernel with no
connection. So the idle clock of kernels still waiting in the pool is reset on every tick, which
gives a page at least ``cull_idle_timeout - cull_interval`` to connect.

Readiness: Voilà logs "Kernel pool ... is filled" when the pool kernel has *started*; the app's
notebook then still runs in it for a second or more, and a page that comes before it has
finished waits for it. When ``$RUPTURE_READY_FILE`` names a file, it is written once the first
pre-heated kernel has run the whole notebook, so that `rupture serve` announces the app (and
opens the browser) only when the first page will open at once (serve.py; docs/decisions.md #24).
"""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


class PoolAwareCullingKernelManager(AsyncMappingKernelManager):
    """Voilà builds its kernel manager on this class (``multi_kernel_manager_class``)."""

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await super().start_kernel(*args, **kwargs)
        ready = os.environ.get("RUPTURE_READY_FILE")
        preheat = (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "True"
        if ready and preheat and not getattr(self, "_announcing", False):
            self._announcing = True
            self._announcer = asyncio.get_running_loop().create_task(
                self._write_when_rendered(kernel_id, Path(ready)))
        return kernel_id

    async def _write_when_rendered(self, kernel_id: str, ready: Path, timeout_s: float = 300):
        """Wait for the pool entry of ``kernel_id`` and its notebook run, then write ``ready``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            for pool in getattr(self, "_pools", {}).values():
                for task in pool:
                    if (task.done() and not task.cancelled() and task.exception() is None
                            and task.result()["kernel_id"] == kernel_id):
                        try:
                            await task.result()["task"]  # the notebook, run in the kernel
                        finally:  # a failed run is announced too: the page shows the error
                            ready.write_text(kernel_id, encoding="utf-8")
                        return
            await asyncio.sleep(0.05)

    async def cull_kernels(self):
        now = utcnow()
        for pool in getattr(self, "_pools", {}).values():  # Voilà's pre-heated kernels
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    kernel = self._kernels.get(task.result()["kernel_id"])
                    if kernel is not None:
                        kernel.last_activity = now
        await super().cull_kernels()
