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
"""
from __future__ import annotations

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager


class PoolAwareCullingKernelManager(AsyncMappingKernelManager):
    """Voilà builds its kernel manager on this class (``multi_kernel_manager_class``)."""

    async def cull_kernels(self):
        now = utcnow()
        for pool in getattr(self, "_pools", {}).values():  # Voilà's pre-heated kernels
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    kernel = self._kernels.get(task.result()["kernel_id"])
                    if kernel is not None:
                        kernel.last_activity = now
        await super().cull_kernels()
