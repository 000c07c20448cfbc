"""Jepa.Verify from Python: MDP files from step functions and replay buffers, a PyTorch JEPA exported to ONNX, and
`jepa-verify assess` run on it. The tool itself is the jepa-verify command line; this package never needs it to import.
"""
from .cli import JepaVerifyError, assess, find_cli, run
from .mdp import mdp_from_step, mdp_from_transitions, write_mdp
from .torch_export import export_jepa, lipschitz_penalty

__all__ = ["mdp_from_step", "mdp_from_transitions", "write_mdp", "export_jepa", "lipschitz_penalty", "assess", "run",
           "find_cli", "JepaVerifyError"]
__version__ = "0.1.0"
