import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def dataset(tmp_path_factory):
    """A small EDF dataset, made with the lockstep command (LOCKSTEP_CLI)."""
    cli = os.environ.get("LOCKSTEP_CLI")
    if not cli:
        pytest.skip("LOCKSTEP_CLI is not set (CTest sets it)")
    where = tmp_path_factory.mktemp("data") / "data"
    subprocess.run([cli, "make-dataset", str(where), "--recordings", "2", "--minutes", "10",
                    "--channels", "3", "--sample-rate", "32", "--seed", "4"],
                   check=True, capture_output=True)
    return where
