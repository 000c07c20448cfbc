"""The PyTorch side of `jepa-verify bench train --case conv` (Debian's python3-torch is enough, with OpenBLAS for its Linear layers:
`apt-get install python3-torch libopenblas0-pthread`, then run it with /usr/bin/python3; not a prerequisite of the project).

It builds the same model, data and step as the .NET benchmark: 1,024 random 3x64x64 images, two actions
to random successors, a 0/1 reward;
- encoder: Conv 7x7 stride 2 (3 -> 16, padding 3), ReLU, max-pool 3x3 stride 2 (padding 1), then one
  residual block per stage (16, 32, 64; stride 1, 2, 2): conv3x3 -> ReLU -> conv3x3, plus a 1x1 shortcut
  where the width or stride changes, ReLU after the sum; global average pool; Linear -> 256;
- transition: Linear(256 + 2 -> 512) -> LayerNorm -> Mish -> Linear(512 -> 256);
- aux head: Linear(256 -> 512) -> LayerNorm -> Mish -> Linear(512 -> 512) -> LayerNorm -> Mish -> Linear(512 -> 101);
- loss: 2 * mse(T(E(o), a), E(o')) + 2 * soft cross-entropy against the two-hot symlog reward on [-10, 10];
- Adam 3e-4, the encoder at 0.3x, gradient norm clipped at 200; batch 256 transitions, the distinct
  observations of the batch encoded once.

    /usr/bin/python3 docs/bench/pytorch_conv_bench.py --threads 2 --steps 10 --batch 256
"""
import argparse
import time

import torch
import torch.nn.functional as F
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=10)
p.add_argument("--batch", type=int, default=256)
p.add_argument("--observations", type=int, default=1024)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)

n, actions, batch = args.observations, 2, args.batch
x = torch.rand(n, 3, 64, 64) - 0.5
succ = torch.randint(0, n, (n, actions))
aux = torch.randint(0, 2, (n,)).float()
frm = torch.arange(n).repeat_interleave(actions)
act = torch.arange(actions).repeat(n)
to = succ[frm, act]


class Block(nn.Module):
    def __init__(self, i, o, stride):
        super().__init__()
        self.c1 = nn.Conv2d(i, o, 3, stride, 1)
        self.c2 = nn.Conv2d(o, o, 3, 1, 1)
        self.sc = nn.Conv2d(i, o, 1, stride) if i != o or stride != 1 else None

    def forward(self, v):
        path = self.c2(F.relu(self.c1(v)))
        return F.relu((v if self.sc is None else self.sc(v)) + path)


class Encoder(nn.Module):
    def __init__(self, stages=(16, 32, 64), latent=256):
        super().__init__()
        self.stem = nn.Conv2d(3, stages[0], 7, 2, 3)
        self.blocks = nn.Sequential(*[Block(stages[max(0, s - 1)], stages[s], 1 if s == 0 else 2) for s in range(len(stages))])
        self.head = nn.Linear(stages[-1], latent)

    def forward(self, v):
        v = F.max_pool2d(F.relu(self.stem(v)), 3, 2, 1)
        return self.head(self.blocks(v).mean(dim=(2, 3)))


enc = Encoder()
trans = nn.Sequential(nn.Linear(256 + actions, 512), nn.LayerNorm(512), nn.Mish(), nn.Linear(512, 256))
head = nn.Sequential(nn.Linear(256, 512), nn.LayerNorm(512), nn.Mish(), nn.Linear(512, 512), nn.LayerNorm(512), nn.Mish(), nn.Linear(512, 101))
opt = torch.optim.Adam([
    {"params": enc.parameters(), "lr": 3e-4 * 0.3},
    {"params": [*trans.parameters(), *head.parameters()], "lr": 3e-4},
])
params = [*enc.parameters(), *trans.parameters(), *head.parameters()]
order = torch.randperm(len(frm))
bins = torch.linspace(-10, 10, 101)


def two_hot(r):
    y = (torch.sign(r) * torch.log1p(r.abs())).clamp(-10, 10)
    pos = (y + 10) / 0.2
    lower = pos.floor().clamp(max=99).long()
    upper = (pos - lower).clamp(0, 1)
    t = torch.zeros(len(r), 101)
    t.scatter_(1, lower[:, None], (1 - upper)[:, None])
    t.scatter_add_(1, (lower + 1)[:, None], upper[:, None])
    return t


def step(i):
    idx = order[(i * batch) % len(frm):][:batch]
    f, a, t = frm[idx], act[idx], to[idx]
    uniq, inv = torch.unique(torch.cat([f, t]), return_inverse=True)
    z = enc(x[uniq])
    zf, zt = z[inv[:batch]], z[inv[batch:]]
    pred = trans(torch.cat([zf, F.one_hot(a, actions).float()], 1))
    logits = head(zf)
    loss = 2 * F.mse_loss(pred, zt) + 2 * -(two_hot(aux[f]) * F.log_softmax(logits, 1)).sum(1).mean()
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 200)
    opt.step()


step(0)
step(1)
start = time.perf_counter()
for i in range(args.steps):
    step(i + 2)
elapsed = time.perf_counter() - start
print(f"pytorch {torch.__version__} conv: {args.steps} steps in {elapsed:.2f} s: {args.steps / elapsed:.2f} steps/s "
      f"({1000 * elapsed / args.steps:.1f} ms/step), batch {batch}, {args.threads} thread(s)")
