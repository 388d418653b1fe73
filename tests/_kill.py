"""Kill a search in another process once its checkpoint holds enough rows,
so that tests can resume it, as a crash or a kill by the system would leave
it."""

import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).parent


def kill_after_checkpoint(module, estimator, ckpt, n_evaluated, *, delay=0.0):
    """Run ``<module>.search(<estimator>, checkpoint=ckpt).fit(X, y)`` in a
    new process and SIGKILL it once the checkpoint holds `n_evaluated`
    candidates, `delay` seconds later; the checkpoint as saved."""
    script = textwrap.dedent(f"""
        import sys
        sys.path[:0] = [{str(TESTS)!r}, {str(TESTS.parent)!r}]
        from {module} import X, y, search
        from _estimators import *
        search({estimator}, checkpoint={str(ckpt)!r}).fit(X, y)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if ckpt.exists():
                with open(ckpt, "rb") as f:
                    if pickle.load(f)["loop"].n_evaluated >= n_evaluated:
                        break
            time.sleep(0.01)
        else:
            pytest.fail("the search wrote no checkpoint in time")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with open(ckpt, "rb") as f:
        return pickle.load(f)
