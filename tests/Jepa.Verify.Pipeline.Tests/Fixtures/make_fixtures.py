"""Makes the ONNX and latents fixtures of Jepa.Verify.Pipeline.Tests: a JEPA trained and exported by PyTorch.

Run from the repository root with Debian's python3-torch and python3-onnx (never a prerequisite of the project):
    python3 tests/Jepa.Verify.Pipeline.Tests/Fixtures/make_fixtures.py
It trains encoder E (9 one-hot features -> 32 -> 16), transition T(z, a) and aux head P on examples/counting.json
with the joint loss L_dyn + L_p (no stop-gradient), seed 0, until both full-data losses are below 1e-5, then writes:
  encoder.onnx, transition.onnx (action one-hot float [n, 2]), transition_index.onnx (action int64 [n]),
  aux_head.onnx, latents.npy (float32, the encoder's output in the file's observation order), latents.csv,
  collapsed_encoder.onnx (every observation mapped to the same latent).
"""
import json
import os

import numpy as np
import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
mdp = json.load(open(os.path.join(here, "..", "..", "..", "examples", "counting.json")))
ids = [o["id"] for o in mdp["observations"]]
index = {o: i for i, o in enumerate(ids)}
actions = list(mdp["actions"])
aux = torch.tensor([[float(o["aux"])] for o in mdp["observations"]])
frm = torch.tensor([index[t["from"]] for t in mdp["transitions"]])
act = torch.tensor([actions.index(t["action"]) for t in mdp["transitions"]])
to = torch.tensor([index[t["to"]] for t in mdp["transitions"]])
n, k, d = len(ids), len(actions), 16
x = torch.eye(n)

torch.manual_seed(0)
encoder = nn.Sequential(nn.Linear(n, 32), nn.ReLU(), nn.Linear(32, d))


class Transition(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d + k, 32), nn.ReLU(), nn.Linear(32, d))

    def forward(self, z, a):
        return self.net(torch.cat([z, a], dim=1))


class TransitionByIndex(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, z, a):
        return self.inner(z, nn.functional.one_hot(a, k).float())


transition = Transition()
aux_head = nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, 1))
params = list(encoder.parameters()) + list(transition.parameters()) + list(aux_head.parameters())
opt = torch.optim.Adam(params, lr=1e-3)
onehot = nn.functional.one_hot(act, k).float()
for step in range(20000):
    z = encoder(x)
    l_dyn = ((transition(z[frm], onehot) - z[to]) ** 2).sum(1).mean()
    l_aux = ((aux_head(z[frm]) - aux[frm]) ** 2).sum(1).mean()
    opt.zero_grad()
    (l_dyn + l_aux).backward()
    opt.step()
    if l_dyn.item() < 1e-5 and l_aux.item() < 1e-5:
        break
print(f"step {step}: L_dyn {l_dyn.item():.3g}, L_p {l_aux.item():.3g}")


def export(model, args, names, path, dynamic):
    torch.onnx.export(model, args, os.path.join(here, path), input_names=names, output_names=["out"],
                      dynamic_axes={**{nm: {0: "n"} for nm in dynamic}, "out": {0: "n"}}, opset_version=13)


with torch.no_grad():
    z = encoder(x)
    export(encoder, (x,), ["obs"], "encoder.onnx", ["obs"])
    export(transition, (z, onehot[:n]), ["z", "action"], "transition.onnx", ["z", "action"])
    export(TransitionByIndex(transition), (z, act[:n]), ["z", "a"], "transition_index.onnx", ["z", "a"])
    export(aux_head, (z,), ["z"], "aux_head.onnx", ["z"])
    collapsed = nn.Sequential(nn.Linear(n, d))
    nn.init.zeros_(collapsed[0].weight)
    export(collapsed, (x,), ["obs"], "collapsed_encoder.onnx", ["obs"])
    np.save(os.path.join(here, "latents.npy"), z.numpy().astype(np.float32))
    with open(os.path.join(here, "latents.csv"), "w") as f:
        f.write("id," + ",".join(f"z{j}" for j in range(d)) + "\n")
        for i, o in enumerate(ids):
            f.write(o + "," + ",".join(repr(float(v)) for v in z[i].tolist()) + "\n")
