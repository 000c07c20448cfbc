"""Check your own PyTorch JEPA: an image gridworld with a key and a door, a convolutional JEPA trained in PyTorch, and
`jepa-verify assess` on its ONNX export.

    PYTHONPATH=python /usr/bin/python3 examples/pytorch/key_door.py [OUT_DIR] [--steps N]

1. The environment is a step function; jepa_verify.mdp_from_step explores it and writes the MDP file, each observation
   a 3x16x16 image (C, H, W) rendered from the state.
2. The JEPA is written as PyTorch users write one: a strided-conv encoder, MLP transition and reward heads, the joint
   loss F.mse_loss(T(E(o), a), E(o')) + F.mse_loss(P(E(o)), r(o)) with no stop-gradient, Adam, full batch, plus the
   Lipschitz penalty that lets the certificate certify.
3. jepa_verify.export_jepa writes encoder.onnx ([n, 3, 16, 16] in), transition.onnx and aux_head.onnx.
4. jepa-verify assess checks that every pair of observations that are not bisimilar gets distinct latents, with a
   certificate valid at the loss reached; this script exits with its exit code (0 certified).
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

SIZE, KEY, DOOR = 4, (0, 3), (3, 0)
MOVES = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}


def step(state, action):
    """(x, y, has_key): walls at the border; stepping onto the key picks it up."""
    x, y, key = state
    dx, dy = MOVES[action]
    x, y = min(max(x + dx, 0), SIZE - 1), min(max(y + dy, 0), SIZE - 1)
    return x, y, key or (x, y) == KEY


def reward(state):
    """1 at the door holding the key."""
    return float((state[0], state[1]) == DOOR and state[2])


def render(state):
    """A 3x16x16 image: red the agent, green the key while it lies there, blue the door, and a white corner once held."""
    image = np.zeros((3, 16, 16), dtype=np.float32)
    cell = lambda c, x, y: image[c, 4 * y:4 * y + 4, 4 * x:4 * x + 4]
    cell(2, *DOOR)[...] = 1.0
    if not state[2]:
        cell(1, *KEY)[1:3, 1:3] = 1.0
    else:
        image[:, 0, 15] = 1.0
    cell(0, state[0], state[1])[1:3, 1:3] = 1.0
    return image


class Transition(nn.Module):
    def __init__(self, d, k):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d + k, 64), nn.ReLU(), nn.Linear(64, d))

    def forward(self, z, a):
        return self.net(torch.cat([z, a], dim=1))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 3000
    out = args[0] if args and args[0] != str(steps) else tempfile.mkdtemp(prefix="key-door-")
    os.makedirs(out, exist_ok=True)

    # 1. The MDP file, from the step function.
    mdp = jv.mdp_from_step(step, [(0, 0, False)], list(MOVES), aux=reward, render=render,
                           ids=lambda s: f"x{s[0]}y{s[1]}{'k' if s[2] else ''}", labels=lambda s: {"key": str(s[2])})
    mdp_path = jv.write_mdp(mdp, os.path.join(out, "key_door.json"))
    ids = [o["id"] for o in mdp["observations"]]
    images = torch.tensor(np.array([o["features"] for o in mdp["observations"]], dtype=np.float32)).reshape(-1, 3, 16, 16)
    frm = torch.tensor([ids.index(t["from"]) for t in mdp["transitions"]])
    act = torch.tensor([list(MOVES).index(t["action"]) for t in mdp["transitions"]])
    to = torch.tensor([ids.index(t["to"]) for t in mdp["transitions"]])
    aux = torch.tensor([[o["aux"]] for o in mdp["observations"]], dtype=torch.float32)
    print(f"{mdp_path}: {len(ids)} observations (3x16x16 images), {len(MOVES)} actions, {len(frm)} transitions")

    # 2. A convolutional JEPA, trained in PyTorch: seeded, and on one thread with deterministic kernels, so that the same
    # seed gives the same model (several threads sum in a varying order).
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    d = 16
    encoder = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, stride=2, padding=1), nn.ReLU(),
                            nn.Flatten(), nn.Linear(16 * 4 * 4, d))
    transition = Transition(d, len(MOVES))
    aux_head = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.Adam([*encoder.parameters(), *transition.parameters(), *aux_head.parameters()], lr=1e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    onehot = F.one_hot(act, len(MOVES)).float()
    for i in range(steps + 1):
        z = encoder(images)
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

    # 3. The ONNX export, and 4. the check.
    paths = jv.export_jepa(encoder, transition, aux_head, images, len(MOVES), os.path.join(out, "model"))
    cli = jv.find_cli()
    command = [cli, "assess", mdp_path, "--encoder", paths[0], "--transition", paths[1], "--aux-head", paths[2]]
    print("$ jepa-verify", " ".join(command[1:]))
    result = subprocess.run(command, text=True, capture_output=True)
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
