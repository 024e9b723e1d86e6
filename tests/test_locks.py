"""Processes that need the same cache entry at the same time compute it once (routerlab.locks)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from routerlab.locks import entry_lock

_CACHED_FRAME = textwrap.dedent("""
    import sys, time
    import pandas as pd
    from routerlab.data.sources._base import cached_frame

    def build():
        with open(sys.argv[1], "a") as f:
            f.write("built\\n")
        time.sleep(1.0)
        return pd.DataFrame({"x": [1, 2, 3]})

    frame = cached_frame("locktest", ["key", "v1"], build)
    assert frame["x"].tolist() == [1, 2, 3]
""")


def test_two_processes_build_a_cached_frame_once(tmp_path):
    marker = tmp_path / "builds.txt"
    env = dict(os.environ, ROUTERLAB_SOURCES_CACHE=str(tmp_path / "cache"))
    procs = [subprocess.Popen([sys.executable, "-c", _CACHED_FRAME, str(marker)], env=env,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert marker.read_text().splitlines() == ["built"]  # one build; the others read its file
    assert len(list((tmp_path / "cache" / "locktest").glob("*.parquet"))) == 1


def test_the_lock_is_released_when_the_block_raises(tmp_path):
    entry = tmp_path / "entry.npz"
    try:
        with entry_lock(entry):
            raise ValueError("boom")
    except ValueError:
        pass
    with entry_lock(entry):  # would block forever if the first lock were still held
        entry.write_text("ok")
    assert entry.read_text() == "ok"


def test_an_unwritable_cache_folder_runs_the_block_unlocked(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    ran = []
    with entry_lock(blocker / "sub" / "entry.parquet"):  # its folder cannot be created
        ran.append(True)
    assert ran == [True]
