"""Certify a PyTorch JEPA with TD-MPC2-style heads (Linear -> LayerNorm -> Mish) on a real protocol model: the TCP
connection state machine of RFC 793 (its Figure 6 and the segment-arrival rules of section 3.9), as a lifted Mealy machine.

    PYTHONPATH=python /usr/bin/python3 examples/pytorch/tcp.py [OUT_DIR] [--steps N]

1. The Mealy machine: 11 connection states, 11 inputs (the user's OPEN/SEND/CLOSE calls, arriving segments, the 2MSL
   timeout), and the segment TCP sends in answer. Lifted to an MDP the usual way: an observation is (state, last
   output), its aux value the output's code, so two observations are bisimilar only when every input sequence gives
   the same outputs from both. jepa_verify.mdp_from_step explores it from (CLOSED, none).
2. The JEPA is written as TD-MPC2 writes its heads: every hidden layer Linear -> LayerNorm -> Mish, trained jointly with
   F.mse_loss, no stop-gradient, Adam, full batch, plus jv.lipschitz_penalty.
3. jepa_verify.export_jepa writes the three ONNX files at opset 17 (LayerNormalization as one node).
4. jepa-verify assess certifies, at the loss reached, that every pair of observations that are not bisimilar gets
   distinct latents; this script exits with its exit code (0 certified).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import jepa_verify as jv  # noqa: E402

STATES = ["CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
          "LAST_ACK", "TIME_WAIT"]
INPUTS = ["passive_open", "active_open", "send", "close", "rcv_syn", "rcv_syn_ack", "rcv_ack", "rcv_fin", "rcv_fin_ack",
          "rcv_rst", "timeout"]
OUTPUTS = ["none", "SYN", "SYN+ACK", "ACK", "FIN", "RST", "DATA"]

# (state, input) -> (next state, output); every pair not listed keeps the state and sends nothing.
RULES = {
    ("CLOSED", "passive_open"): ("LISTEN", "none"),
    ("CLOSED", "active_open"): ("SYN_SENT", "SYN"),
    # A segment that arrives for no connection is answered with a reset (an arriving RST is dropped).
    **{("CLOSED", s): ("CLOSED", "RST") for s in ("rcv_syn", "rcv_syn_ack", "rcv_ack", "rcv_fin", "rcv_fin_ack")},
    ("LISTEN", "rcv_syn"): ("SYN_RCVD", "SYN+ACK"),
    ("LISTEN", "send"): ("SYN_SENT", "SYN"),
    ("LISTEN", "close"): ("CLOSED", "none"),
    ("LISTEN", "rcv_ack"): ("LISTEN", "RST"),
    ("LISTEN", "rcv_syn_ack"): ("LISTEN", "RST"),
    ("SYN_SENT", "rcv_syn"): ("SYN_RCVD", "ACK"),
    ("SYN_SENT", "rcv_syn_ack"): ("ESTABLISHED", "ACK"),
    ("SYN_SENT", "close"): ("CLOSED", "none"),
    ("SYN_SENT", "rcv_rst"): ("CLOSED", "none"),
    ("SYN_SENT", "rcv_ack"): ("SYN_SENT", "RST"),
    ("SYN_RCVD", "rcv_ack"): ("ESTABLISHED", "none"),
    ("SYN_RCVD", "close"): ("FIN_WAIT_1", "FIN"),
    ("SYN_RCVD", "rcv_rst"): ("LISTEN", "none"),
    ("ESTABLISHED", "send"): ("ESTABLISHED", "DATA"),
    ("ESTABLISHED", "close"): ("FIN_WAIT_1", "FIN"),
    ("ESTABLISHED", "rcv_fin"): ("CLOSE_WAIT", "ACK"),
    ("ESTABLISHED", "rcv_rst"): ("CLOSED", "none"),
    ("FIN_WAIT_1", "rcv_ack"): ("FIN_WAIT_2", "none"),
    ("FIN_WAIT_1", "rcv_fin"): ("CLOSING", "ACK"),
    ("FIN_WAIT_1", "rcv_fin_ack"): ("TIME_WAIT", "ACK"),
    ("FIN_WAIT_1", "rcv_rst"): ("CLOSED", "none"),
    ("FIN_WAIT_2", "rcv_fin"): ("TIME_WAIT", "ACK"),
    ("FIN_WAIT_2", "rcv_fin_ack"): ("TIME_WAIT", "ACK"),
    ("FIN_WAIT_2", "rcv_rst"): ("CLOSED", "none"),
    ("CLOSE_WAIT", "send"): ("CLOSE_WAIT", "DATA"),
    ("CLOSE_WAIT", "close"): ("LAST_ACK", "FIN"),
    ("CLOSE_WAIT", "rcv_rst"): ("CLOSED", "none"),
    ("CLOSING", "rcv_ack"): ("TIME_WAIT", "none"),
    ("CLOSING", "rcv_rst"): ("CLOSED", "none"),
    ("LAST_ACK", "rcv_ack"): ("CLOSED", "none"),
    ("LAST_ACK", "rcv_rst"): ("CLOSED", "none"),
    ("TIME_WAIT", "rcv_fin"): ("TIME_WAIT", "ACK"),
    ("TIME_WAIT", "timeout"): ("CLOSED", "none"),
}


def step(observation, action):
    """The lifted machine: an observation is (state, last output)."""
    state, _ = observation
    return RULES.get((state, action), (state, "none"))


def render(observation):
    """What the model sees: the state and the last output, one-hot."""
    features = np.zeros(len(STATES) + len(OUTPUTS), dtype=np.float32)
    features[STATES.index(observation[0])] = 1.0
    features[len(STATES) + OUTPUTS.index(observation[1])] = 1.0
    return features


def mlp(inputs, hidden, outputs):
    """TD-MPC2's head: Linear -> LayerNorm -> Mish per hidden layer, a plain Linear out."""
    return nn.Sequential(nn.Linear(inputs, hidden), nn.LayerNorm(hidden), nn.Mish(),
                         nn.Linear(hidden, hidden), nn.LayerNorm(hidden), nn.Mish(), nn.Linear(hidden, outputs))


class Transition(nn.Module):
    def __init__(self, d, k):
        super().__init__()
        self.net = mlp(d + k, 64, d)

    def forward(self, z, a):
        return self.net(torch.cat([z, a], dim=1))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 3000
    out = args[0] if args and args[0] != str(steps) else tempfile.mkdtemp(prefix="tcp-")
    os.makedirs(out, exist_ok=True)

    # 1. The MDP file, from the lifted Mealy machine.
    mdp = jv.mdp_from_step(step, [("CLOSED", "none")], INPUTS, aux=lambda o: float(OUTPUTS.index(o[1])), render=render,
                           ids=lambda o: f"{o[0]}/{o[1]}", labels=lambda o: {"state": o[0], "output": o[1]})
    mdp_path = jv.write_mdp(mdp, os.path.join(out, "tcp.json"))
    ids = [o["id"] for o in mdp["observations"]]
    features = torch.tensor(np.array([o["features"] for o in mdp["observations"]], dtype=np.float32))
    frm = torch.tensor([ids.index(t["from"]) for t in mdp["transitions"]])
    act = torch.tensor([INPUTS.index(t["action"]) for t in mdp["transitions"]])
    to = torch.tensor([ids.index(t["to"]) for t in mdp["transitions"]])
    aux = torch.tensor([[o["aux"]] for o in mdp["observations"]], dtype=torch.float32)
    print(f"{mdp_path}: {len(ids)} observations, {len(INPUTS)} inputs, {len(frm)} transitions")

    # 2. The JEPA, trained jointly in PyTorch: seeded, one thread, deterministic kernels (the same seed, the same model).
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    d = 16
    encoder = mlp(features.shape[1], 64, d)
    transition = Transition(d, len(INPUTS))
    aux_head = mlp(d, 64, 1)
    opt = torch.optim.Adam([*encoder.parameters(), *transition.parameters(), *aux_head.parameters()], lr=1e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    onehot = F.one_hot(act, len(INPUTS)).float()
    for i in range(steps + 1):
        z = encoder(features)
        l_dyn = F.mse_loss(transition(z[frm], onehot), z[to])
        l_aux = F.mse_loss(aux_head(z[frm]), aux[frm])
        loss = l_dyn + l_aux + 1e-4 * jv.lipschitz_penalty(transition, aux_head)
        if i % (steps // 4) == 0:
            print(f"step {i}: L_dyn {l_dyn.item():.2e}, L_aux {l_aux.item():.2e} (F.mse_loss)")
        if i < steps:
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()

    # 3. The ONNX export (opset 17), and 4. the check.
    paths = jv.export_jepa(encoder, transition, aux_head, features, len(INPUTS), os.path.join(out, "model"), opset=17)
    cli = jv.find_cli()
    command = [cli, "assess", mdp_path, "--encoder", paths[0], "--transition", paths[1], "--aux-head", paths[2]]
    print("$ jepa-verify", " ".join(command[1:]))
    result = subprocess.run(command, text=True, capture_output=True)
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
