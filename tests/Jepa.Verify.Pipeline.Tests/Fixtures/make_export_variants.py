"""Makes the export-variant fixtures: the same PyTorch heads exported the ways PyTorch users export them.

Run from the repository root with Debian's python3-torch and python3-onnx (never a prerequisite of the project):
    /usr/bin/python3 tests/Jepa.Verify.Pipeline.Tests/Fixtures/make_export_variants.py
Writes into variants/:
  relu/: the heads of make_fixtures.py's model (rebuilt from transition.onnx and aux_head.onnx, so the function is the
         same) exported as: transition_onehot_17.onnx (one-hot float action, opset 17), transition_index_14.onnx
         (int64 action through F.one_hot, opset 14), transition_embedding_17.onnx (int64 action through nn.Embedding
         holding the identity, opset 17), aux_17.onnx ([n, 1]), aux_squeezed_14.onnx (.squeeze(1), opset 14).
  layernorm/: a JEPA with Linear -> LayerNorm -> Mish -> Linear heads trained here (seed 0) on examples/counting.json,
         encoder.onnx, and its heads at opset 14 (LayerNorm decomposed) and 17 (LayerNormalization), action one-hot and
         index, aux [n, 1] and squeezed.
  residual/: a transition z + MLP(cat(z, a)) with GELU (erf) and an aux head with SiLU and a tanh-GELU, trained here,
         encoder.onnx, transition.onnx, aux_head.onnx (opset 14).
"""
import json
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "variants")
mdp = json.load(open(os.path.join(here, "..", "..", "..", "examples", "counting.json")))
ids = [o["id"] for o in mdp["observations"]]
index = {o: i for i, o in enumerate(ids)}
k = len(mdp["actions"])
aux = torch.tensor([[float(o["aux"])] for o in mdp["observations"]])
frm = torch.tensor([index[t["from"]] for t in mdp["transitions"]])
act = torch.tensor([mdp["actions"].index(t["action"]) for t in mdp["transitions"]])
to = torch.tensor([index[t["to"]] for t in mdp["transitions"]])
n = len(ids)
x = torch.eye(n)
onehot = nn.functional.one_hot(act, k).float()


def weights(path):
    return {t.name: torch.tensor(numpy_helper.to_array(t)) for t in onnx.load(path).graph.initializer}


def linear(w, b):
    layer = nn.Linear(w.shape[1], w.shape[0])
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(b)
    return layer


class OneHotAction(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, z, a):
        return self.net(torch.cat([z, a], dim=1))


class IndexAction(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, z, a):
        return self.net(torch.cat([z, nn.functional.one_hot(a, k).float()], dim=1))


class EmbeddedAction(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.embedding = nn.Embedding(k, k)
        with torch.no_grad():
            self.embedding.weight.copy_(torch.eye(k))

    def forward(self, z, a):
        return self.net(torch.cat([z, self.embedding(a)], dim=1))


class Squeezed(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, z):
        return self.net(z).squeeze(1)


def export(model, args, names, path, opset):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(model, args, path, input_names=names, output_names=["out"],
                      dynamic_axes={**{nm: {0: "n"} for nm in names}, "out": {0: "n"}}, opset_version=opset)


def train(encoder, transition, aux_head, steps=20000):
    params = list(encoder.parameters()) + list(transition.parameters()) + list(aux_head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    for step in range(steps):
        z = encoder(x)
        l_dyn = ((transition(z[frm], onehot) - z[to]) ** 2).sum(1).mean()
        l_aux = ((aux_head(z[frm]) - aux[frm]) ** 2).sum(1).mean()
        opt.zero_grad()
        (l_dyn + l_aux).backward()
        opt.step()
        if l_dyn.item() < 1e-5 and l_aux.item() < 1e-5:
            break
    print(f"step {step}: L_dyn {l_dyn.item():.3g}, L_p {l_aux.item():.3g}")


def export_all(folder, encoder, transition_net, aux_net, variants):
    with torch.no_grad():
        z = encoder(x)
        export(encoder, (x,), ["obs"], os.path.join(folder, "encoder.onnx"), 14)
        for name, opset in variants:
            path = os.path.join(folder, name)
            if name.startswith("transition_onehot"):
                export(OneHotAction(transition_net), (z, onehot[:n]), ["z", "action"], path, opset)
            elif name.startswith("transition_index"):
                export(IndexAction(transition_net), (z, act[:n]), ["z", "a"], path, opset)
            elif name.startswith("transition_embedding"):
                export(EmbeddedAction(transition_net), (z, act[:n]), ["z", "a"], path, opset)
            elif name.startswith("aux_squeezed"):
                export(Squeezed(aux_net), (z,), ["z"], path, opset)
            else:
                export(aux_net, (z,), ["z"], path, opset)


# relu/: make_fixtures.py's heads, the same function exported five ways.
t = weights(os.path.join(here, "transition.onnx"))
p = weights(os.path.join(here, "aux_head.onnx"))
relu_transition = nn.Sequential(linear(t["net.0.weight"], t["net.0.bias"]), nn.ReLU(), linear(t["net.2.weight"], t["net.2.bias"]))
relu_aux = nn.Sequential(linear(p["0.weight"], p["0.bias"]), nn.ReLU(), linear(p["2.weight"], p["2.bias"]))
e = weights(os.path.join(here, "encoder.onnx"))
relu_encoder = nn.Sequential(linear(e["0.weight"], e["0.bias"]), nn.ReLU(), linear(e["2.weight"], e["2.bias"]))
export_all(os.path.join(out, "relu"), relu_encoder, relu_transition, relu_aux,
           [("transition_onehot_17.onnx", 17), ("transition_index_14.onnx", 14), ("transition_embedding_17.onnx", 17),
            ("aux_17.onnx", 17), ("aux_squeezed_14.onnx", 14)])

# layernorm/: TD-MPC2-style heads.
torch.manual_seed(0)
d = 16
ln_encoder = nn.Sequential(nn.Linear(n, 32), nn.ReLU(), nn.Linear(32, d))
ln_transition = nn.Sequential(nn.Linear(d + k, 32), nn.LayerNorm(32), nn.Mish(), nn.Linear(32, d))
ln_aux = nn.Sequential(nn.Linear(d, 32), nn.LayerNorm(32), nn.Mish(), nn.Linear(32, 1))
train(ln_encoder, OneHotAction(ln_transition), ln_aux)
export_all(os.path.join(out, "layernorm"), ln_encoder, ln_transition, ln_aux,
           [("transition_onehot_17.onnx", 17), ("transition_onehot_14.onnx", 14), ("transition_index_14.onnx", 14),
            ("aux_17.onnx", 17), ("aux_14.onnx", 14), ("aux_squeezed_14.onnx", 14)])


# residual/: a residual transition with GELU, an aux head with SiLU and tanh-GELU.
class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d + k, 32), nn.GELU(), nn.Linear(32, d))

    def forward(self, z, a):
        return z + self.net(torch.cat([z, a], dim=1))


torch.manual_seed(0)
res_encoder = nn.Sequential(nn.Linear(n, 32), nn.ReLU(), nn.Linear(32, d))
res_transition = Residual()
res_aux = nn.Sequential(nn.Linear(d, 32), nn.SiLU(), nn.Linear(32, 32), nn.GELU(approximate="tanh"), nn.Linear(32, 1))
train(res_encoder, res_transition, res_aux)
with torch.no_grad():
    z = res_encoder(x)
    folder = os.path.join(out, "residual")
    export(res_encoder, (x,), ["obs"], os.path.join(folder, "encoder.onnx"), 14)
    export(res_transition, (z, onehot[:n]), ["z", "action"], os.path.join(folder, "transition.onnx"), 14)
    export(res_aux, (z,), ["z"], os.path.join(folder, "aux_head.onnx"), 14)

# image/: a convolutional encoder as PyTorch users write one, input [n, 3, 32, 32] (C, H, W), untrained (seed 0): once
# with a dynamic batch, once with the batch fixed at 9 (torch.onnx.export without dynamic_axes).
torch.manual_seed(0)
conv = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, stride=2, padding=1), nn.ReLU(),
                     nn.Flatten(), nn.Linear(8 * 8 * 8, 16))
images = torch.rand(9, 3, 32, 32)
folder = os.path.join(out, "image")
export(conv, (images,), ["pixels"], os.path.join(folder, "encoder.onnx"), 14)
torch.onnx.export(conv, (images,), os.path.join(folder, "encoder_static.onnx"), input_names=["pixels"], output_names=["z"], opset_version=14)

# twohot/: TD-MPC2's reward head, as the paper's reference code trains it: logits over 101 bins of symlog(r) on
# [-10, 10], soft cross-entropy against the two-hot target, jointly with the latent transition loss (seed 0).
bins = torch.linspace(-10, 10, 101)


def two_hot(r):
    y = torch.clamp(torch.sign(r) * torch.log1p(r.abs()), -10, 10)
    position = (y - bins[0]) / (bins[1] - bins[0])
    lower = torch.clamp(position.floor().long(), 0, 99)
    upper_weight = (position - lower).clamp(0, 1)
    target = torch.zeros(r.shape[0], 101)
    target[torch.arange(r.shape[0]), lower] = 1 - upper_weight
    target[torch.arange(r.shape[0]), lower + 1] += upper_weight
    return target


torch.manual_seed(0)
th_encoder = nn.Sequential(nn.Linear(n, 32), nn.ReLU(), nn.Linear(32, d))
th_transition = nn.Sequential(nn.Linear(d + k, 32), nn.ReLU(), nn.Linear(32, d))
th_aux = nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, 101))
opt = torch.optim.Adam([*th_encoder.parameters(), *th_transition.parameters(), *th_aux.parameters()], lr=1e-3)
target = two_hot(aux[frm, 0])
for step in range(6000):
    z = th_encoder(x)
    l_dyn = ((th_transition(torch.cat([z[frm], onehot], 1)) - z[to]) ** 2).sum(1).mean()
    l_aux = -(target * torch.log_softmax(th_aux(z[frm]), 1)).sum(1).mean()
    opt.zero_grad()
    (l_dyn + l_aux).backward()
    opt.step()
print(f"two-hot: L_dyn {l_dyn.item():.3g}, cross-entropy {l_aux.item():.3g}")
export_all(os.path.join(out, "twohot"), th_encoder, th_transition, th_aux, [("transition_onehot_17.onnx", 17), ("aux_logits_17.onnx", 17)])
