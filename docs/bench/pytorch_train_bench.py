"""The PyTorch side of `jepa-verify bench train --case image`.

Debian's python3-torch runs it (`apt-get install python3-torch libopenblas0-pthread`, then /usr/bin/python3; without
OpenBLAS its Linear layers fall back to the reference BLAS and run ten times slower; docs/benchmarks.md has both).
It builds the same model and step as the .NET benchmark: P-JEPA with encoder
12288->256->256->32 (ReLU), transition (32+2)->256->32, aux head 32->256->1, joint loss
L = mean ||T(E(o),a) - E(o')||^2 + mean ||P(E(o)) - p(o)||^2 over a batch of 256 transitions
(the distinct observations of the batch encoded once), Adam lr 1e-3.

    /usr/bin/python3 docs/bench/pytorch_train_bench.py --threads 2 --steps 30
"""
import argparse
import time

import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--observations", type=int, default=1024)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)

n, feats, actions, batch = args.observations, 64 * 64 * 3, 2, 256
x = torch.rand(n, feats) - 0.5
succ = torch.randint(0, n, (n, actions))
aux = torch.randint(0, 2, (n, 1)).float()
frm = torch.arange(n).repeat_interleave(actions)
act = torch.arange(actions).repeat(n)
to = succ[frm, act]

def mlp(*sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)

enc, trans, head = mlp(feats, 256, 256, 32), mlp(32 + actions, 256, 32), mlp(32, 256, 1)
opt = torch.optim.Adam([*enc.parameters(), *trans.parameters(), *head.parameters()], lr=1e-3)
order = torch.randperm(len(frm))

def step(i):
    idx = order[(i * batch) % len(frm):][:batch]
    f, a, t = frm[idx], act[idx], to[idx]
    uniq, inv = torch.unique(torch.cat([f, t]), return_inverse=True)
    z = enc(x[uniq])
    zf, zt = z[inv[:batch]], z[inv[batch:]]
    pred = trans(torch.cat([zf, nn.functional.one_hot(a, actions).float()], 1))
    loss = ((pred - zt) ** 2).sum(1).mean() + ((head(zf) - aux[f]) ** 2).sum(1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()

for i in range(2):
    step(i)
start = time.perf_counter()
for i in range(args.steps):
    step(i)
elapsed = time.perf_counter() - start
print(f"pytorch {torch.__version__}: {args.steps / elapsed:.2f} steps/s on {args.threads} thread(s)")
