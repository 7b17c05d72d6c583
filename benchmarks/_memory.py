"""Peak resident memory of the running process, shared by the benchmark scripts."""

import threading
import time

import psutil


class PeakRSS:
    """Sample the resident set size in a background thread.

    Inside ``with PeakRSS() as mem:``, ``mem.base`` is the resident size on
    entry; on exit ``mem.peak`` is the largest size seen and ``mem.extra`` is
    ``peak - base``.
    """

    def __init__(self, interval=0.005):
        self.interval = interval
        self.process = psutil.Process()

    def __enter__(self):
        self.base = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
        self.extra = self.peak - self.base
