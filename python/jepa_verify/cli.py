"""Runs the jepa-verify command line and reads its JSON report."""
import json
import os
import shutil
import subprocess

__all__ = ["assess", "run", "find_cli", "JepaVerifyError"]


class JepaVerifyError(RuntimeError):
    """jepa-verify refused the input (exit 2, with its one-line message) or failed (exit 70)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def find_cli():
    """The jepa-verify executable: $JEPA_VERIFY, else jepa-verify on PATH, else ./jepa-verify of this repository."""
    if os.environ.get("JEPA_VERIFY"):
        return os.environ["JEPA_VERIFY"]
    on_path = shutil.which("jepa-verify")
    if on_path:
        return on_path
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "..", "..", "jepa-verify"),):
        if os.path.exists(candidate):
            return os.path.abspath(candidate)
    raise FileNotFoundError("jepa-verify not found: set JEPA_VERIFY to the executable, or put it on PATH")


def run(*args, cli=None):
    """Runs jepa-verify with args and --json; returns (exit code, parsed JSON). Exit 2 and 70 raise JepaVerifyError."""
    process = subprocess.run([cli or find_cli(), *map(str, args), "--json"], capture_output=True, text=True)
    if process.returncode in (2, 70) or not process.stdout.strip():
        raise JepaVerifyError(process.returncode, process.stderr.strip() or f"jepa-verify exited with {process.returncode}")
    return process.returncode, json.loads(process.stdout)


def assess(mdp, encoder=None, transition=None, aux_head=None, latents=None, features=None, require=None,
           min_certified_fraction=None, loss_target=None, aux_bins=None, aux_range=None, cli=None):
    """`jepa-verify assess` on an MDP file and a model (ONNX files, or a latents .npy/.csv); returns its JSON report
    as a dict, with "exit_code" (0 when `require` is met, 1 collapsed, 3 apart but short of it) and "warnings".
    aux_bins (and aux_range "MIN,MAX", default "-10,10"): the aux head outputs logits over two-hot bins of symlog(aux),
    as TD-MPC2's reward head does."""
    args = ["assess", mdp]
    for flag, value in (("--encoder", encoder), ("--transition", transition), ("--aux-head", aux_head), ("--latents", latents),
                        ("--features", features), ("--require", require), ("--min-certified-fraction", min_certified_fraction),
                        ("--loss-target", loss_target), ("--aux-bins", aux_bins), ("--aux-range", aux_range)):
        if value is not None:
            args += [flag, value]
    code, report = run(*args, cli=cli)
    report["exit_code"] = code
    return report
