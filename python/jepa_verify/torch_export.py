"""A PyTorch JEPA as the three ONNX files `jepa-verify assess` reads, and the Lipschitz penalty `train` uses."""
import os

__all__ = ["export_jepa", "lipschitz_penalty"]


def export_jepa(encoder, transition, aux_head, example_obs, num_actions, out_dir, opset=17, action="onehot"):
    """Exports encoder.onnx, transition.onnx and aux_head.onnx into out_dir, each with a dynamic batch dimension.

    encoder(obs) -> z [n, d], obs shaped like example_obs ([n, C, H, W] for images, [n, features] otherwise);
    transition(z, a) -> z' [n, d], called with a one-hot float action [n, num_actions] (action="onehot", exported as
    that input) or an int64 index [n] (action="index", exported as an int64 input; the certificate reads the index
    where the module turns it into a one-hot, an nn.Embedding or a float); aux_head(z) -> [n, k] or [n] (exported
    as [n, k]).
    Returns the three paths.
    """
    import torch
    from torch import nn

    if action not in ("onehot", "index"):
        raise ValueError('action must be "onehot" or "index"')

    class Transition(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = transition

        def forward(self, z, a):
            return self.inner(z, a)

    class AuxHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = aux_head

        def forward(self, z):
            p = self.inner(z)
            return p.unsqueeze(1) if p.dim() == 1 else p

    os.makedirs(out_dir, exist_ok=True)
    was = [m.training for m in (encoder, transition, aux_head)]
    for m in (encoder, transition, aux_head):
        m.eval()
    try:
        with torch.no_grad():
            obs = torch.as_tensor(example_obs, dtype=torch.float32)
            z = encoder(obs)
            if action == "onehot":
                a = torch.zeros(obs.shape[0], num_actions)
                a[:, 0] = 1
            else:
                a = torch.zeros(obs.shape[0], dtype=torch.long)
            paths = [os.path.join(out_dir, name) for name in ("encoder.onnx", "transition.onnx", "aux_head.onnx")]
            dynamic = {0: "n"}
            torch.onnx.export(encoder, (obs,), paths[0], input_names=["obs"], output_names=["z"],
                              dynamic_axes={"obs": dynamic, "z": dynamic}, opset_version=opset)
            torch.onnx.export(Transition(), (z, a), paths[1], input_names=["z", "action"], output_names=["next"],
                              dynamic_axes={"z": dynamic, "action": dynamic, "next": dynamic}, opset_version=opset)
            torch.onnx.export(AuxHead(), (z,), paths[2], input_names=["z"], output_names=["aux"],
                              dynamic_axes={"z": dynamic, "aux": dynamic}, opset_version=opset)
    finally:
        for m, training in zip((encoder, transition, aux_head), was):
            m.train(training)
    return paths


def lipschitz_penalty(*heads):
    """The sum over the heads of the product of their Linear layers' spectral norms: what `jepa-verify train` adds to
    the joint loss (weight 1e-4 by default) so that the certificate, which divides by the heads' Lipschitz constants,
    can certify. Use it as loss = l_dyn + l_aux + 1e-4 * lipschitz_penalty(transition, aux_head).

    train estimates each norm with one power-iteration step per training step; this computes it exactly
    (torch.linalg.matrix_norm(W, ord=2)), which costs an SVD per layer and is fine for heads of a few hundred units.
    """
    import torch
    from torch import nn

    total = None
    for head in heads:
        product = None
        for m in head.modules():
            if isinstance(m, nn.Linear):
                sigma = torch.linalg.matrix_norm(m.weight, ord=2)
                product = sigma if product is None else product * sigma
        if product is not None:
            total = product if total is None else total + product
    if total is None:
        raise ValueError("the heads have no nn.Linear layers")
    return total
