"""Tests of the Python bridge against the jepa-verify command line ($JEPA_VERIFY, or ./jepa-verify)."""
import json
import os

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

import jepa_verify as jv

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COUNTING = os.path.join(ROOT, "examples", "counting.json")


def count_step(count, action):
    return min(count + 1, 8) if action == "inc" else max(count - 1, 0)


def partition(path):
    _, report = jv.run("classes", path)
    return sorted(sorted(c) for c in report["partition"])


def test_bfs_counting_gives_the_classes_of_the_hand_written_file(tmp_path):
    mdp = jv.mdp_from_step(count_step, [0], ["inc", "dec"], aux=lambda c: int(c == 4), ids=lambda c: f"count{c}",
                           labels=lambda c: {"count": str(c)})
    path = jv.write_mdp(mdp, str(tmp_path / "counting.json"))
    assert len(mdp["observations"]) == 9 and len(mdp["transitions"]) == 18
    assert partition(path) == partition(COUNTING)
    assert open(path).read().count("\n") == 1, "one line"


def test_bfs_with_a_cosmetic_distractor_merges_it_and_renders_chw_features(tmp_path):
    # (count, colour): the colour flips on every step and only changes the picture, so it is not bisimilar-relevant.
    def step(state, action):
        return count_step(state[0], action), 1 - state[1]

    def render(state):
        image = np.zeros((3, 4, 4), dtype=np.float32)
        image[state[1], 0, : state[0] // 2] = 1.0
        image[2, 3, 0] = state[0] / 8
        return image

    mdp = jv.mdp_from_step(step, [(0, 0)], ["inc", "dec"], aux=lambda s: int(s[0] == 4), render=render, ids=lambda s: f"c{s[0]}-{s[1]}")
    path = jv.write_mdp(mdp, str(tmp_path / "distractor.json"))
    assert len(mdp["observations"]) == 18
    assert len(mdp["observations"][0]["features"]) == 48
    classes = partition(path)
    assert len(classes) == 9
    assert ["c3-0", "c3-1"] in classes
    # The render's [C, H, W] shape is recorded, and train reads such features with its convolutional encoder.
    assert mdp["feature_shape"] == [3, 4, 4]
    assert '"feature_shape": [3, 4, 4]' in open(path).read()
    _, report = jv.run("train", path, "--steps", "20", "--step-cap", "20", "--stages", "4,8", "--quiet")
    assert report["encoder"] == "conv"


def test_bfs_refuses_shared_ids_and_too_many_states():
    with pytest.raises(ValueError, match="both get the id"):
        jv.mdp_from_step(lambda s, a: (s + 1) % 4, [0], ["a"], aux=lambda s: 0, ids=lambda s: "x")
    with pytest.raises(ValueError, match="more than 3 states"):
        jv.mdp_from_step(lambda s, a: (s + 1) % 4, [0], ["a"], aux=lambda s: 0, max_states=3)


def replay_buffer(seed, steps=400):
    """Random-walk transitions of the counting task with 2-pixel images, rewards r(o, a) = 1 when stepping onto count 4."""
    rng = np.random.default_rng(seed)
    picture = lambda c: np.array([[c / 8, 1.0]], dtype=np.float32)
    obs, actions, next_obs, rewards = [], [], [], []
    c = 0
    for _ in range(steps):
        a = int(rng.integers(2))
        n = count_step(c, ["inc", "dec"][a])
        obs.append(picture(c)), actions.append(a), next_obs.append(picture(n)), rewards.append(float(n == 4))
        c = n
    return np.stack(obs), np.array(actions), np.stack(next_obs), np.array(rewards)


def test_a_replay_buffer_becomes_a_dataset_mdp_with_identical_observations_merged(tmp_path):
    obs, actions, next_obs, rewards = replay_buffer(0)
    mdp = jv.mdp_from_transitions(obs, actions, next_obs, rewards=rewards, action_names=["inc", "dec"])
    assert len(mdp["observations"]) == 9
    assert len(mdp["transitions"]) == 18
    # r(o, a) per action becomes the observation's aux vector: count 3 steps onto 4 with inc.
    three = next(o for o in mdp["observations"] if o["features"][0] == pytest.approx(3 / 8))
    assert three["aux"] == [1.0, 0.0]
    assert mdp["feature_shape"] == [1, 2]
    path = jv.write_mdp(mdp, str(tmp_path / "buffer.json"))
    assert len(partition(path)) == 9


def test_a_replay_buffer_that_is_not_deterministic_or_misses_a_reward_is_refused():
    obs, actions, next_obs, rewards = replay_buffer(0)
    bad = next_obs.copy()
    bad[5] = bad[6] + 7
    with pytest.raises(ValueError, match="must be deterministic"):
        jv.mdp_from_transitions(np.concatenate([obs, obs[5:6]]), np.concatenate([actions, actions[5:6]]), np.concatenate([next_obs, bad[5:6]]), rewards=np.concatenate([rewards, rewards[5:6]]))
    only_inc = actions == 0
    with pytest.raises(ValueError, match="never observed"):
        jv.mdp_from_transitions(obs[only_inc], actions[only_inc], next_obs[only_inc], rewards=rewards[only_inc], num_actions=2)
    filled = jv.mdp_from_transitions(obs[only_inc], actions[only_inc], next_obs[only_inc], rewards=rewards[only_inc], num_actions=2, missing_reward=0.0)
    assert all(len(o["aux"]) == 2 for o in filled["observations"])


class Transition(nn.Module):
    def __init__(self, d, k):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d + k, 32), nn.ReLU(), nn.Linear(32, d))

    def forward(self, z, a):
        return self.net(torch.cat([z, a], dim=1))


def trained_counting_jepa(steps=3000):
    data = json.load(open(COUNTING))
    ids = [o["id"] for o in data["observations"]]
    frm = torch.tensor([ids.index(t["from"]) for t in data["transitions"]])
    act = torch.tensor([data["actions"].index(t["action"]) for t in data["transitions"]])
    to = torch.tensor([ids.index(t["to"]) for t in data["transitions"]])
    aux = torch.tensor([[float(o["aux"])] for o in data["observations"]])
    torch.manual_seed(0)
    x = torch.eye(9)
    encoder = nn.Sequential(nn.Linear(9, 32), nn.ReLU(), nn.Linear(32, 8))
    transition = Transition(8, 2)
    aux_head = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.Adam([*encoder.parameters(), *transition.parameters(), *aux_head.parameters()], lr=1e-3)
    onehot = F.one_hot(act, 2).float()
    for _ in range(steps):
        z = encoder(x)
        loss = F.mse_loss(transition(z[frm], onehot), z[to]) + F.mse_loss(aux_head(z[frm]), aux[frm])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        z = encoder(x)
        l_dyn = F.mse_loss(transition(z[frm], onehot), z[to]).item()
        l_aux = F.mse_loss(aux_head(z[frm]), aux[frm]).item()
    return encoder, transition, aux_head, x, l_dyn, l_aux


def test_an_exported_jepa_is_assessed_and_its_per_coordinate_losses_are_pytorchs(tmp_path):
    # 400 steps: losses near 1e-3, where float32 outputs (ONNX Runtime's and PyTorch's) agree to 1e-6 relative; at 1e-9 a
    # loss is a difference of nearly equal float32 numbers and the two round it differently.
    encoder, transition, aux_head, x, l_dyn, l_aux = trained_counting_jepa(steps=400)
    paths = jv.export_jepa(encoder, transition, aux_head, x, 2, str(tmp_path / "model"))
    report = jv.assess(COUNTING, *paths)
    assert report["loss_dyn_per_dim"] == pytest.approx(l_dyn, rel=1e-5)
    assert report["loss_aux_per_dim"] == pytest.approx(l_aux, rel=1e-5)
    assert report["loss_dyn"] == pytest.approx(8 * report["loss_dyn_per_dim"], rel=1e-12)
    assert report["exit_code"] == {"certified": 0, "apart": 3, "collapsed": 1}[report["verdict"]]
    trained = jv.export_jepa(*trained_counting_jepa()[:3], torch.eye(9), 2, str(tmp_path / "trained"))
    certified = jv.assess(COUNTING, *trained)
    assert certified["verdict"] in ("certified", "apart")
    apart = jv.assess(COUNTING, *trained, require="apart")
    assert apart["exit_code"] == 0
    assert apart["certified_pairs"] == certified["certified_pairs"]


def test_an_index_action_export_gives_the_same_certificate(tmp_path):
    encoder, transition, aux_head, x, _, _ = trained_counting_jepa(steps=1500)

    class ByIndex(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = transition

        def forward(self, z, a):
            return self.inner(z, F.one_hot(a, 2).float())

    onehot = jv.assess(COUNTING, *jv.export_jepa(encoder, transition, aux_head, x, 2, str(tmp_path / "onehot")))
    index = jv.assess(COUNTING, *jv.export_jepa(encoder, ByIndex(), aux_head, x, 2, str(tmp_path / "index"), action="index", opset=14))
    assert (index["verdict"], index["certified_pairs"], index["exit_code"]) == (onehot["verdict"], onehot["certified_pairs"], onehot["exit_code"])


def test_the_lipschitz_penalty_is_the_product_of_spectral_norms_per_head():
    torch.manual_seed(0)
    t, p = Transition(4, 2), nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    expected = 1.0
    for layer in (t.net[0], t.net[2]):
        expected *= np.linalg.svd(layer.weight.detach().numpy(), compute_uv=False)[0]
    expected += np.linalg.svd(p[0].weight.detach().numpy(), compute_uv=False)[0] * np.linalg.svd(p[2].weight.detach().numpy(), compute_uv=False)[0]
    penalty = jv.lipschitz_penalty(t, p)
    assert penalty.item() == pytest.approx(expected, rel=1e-5)
    penalty.backward()
    assert t.net[0].weight.grad is not None


def test_bad_input_raises_with_the_tools_one_line_message(tmp_path):
    with pytest.raises(jv.JepaVerifyError) as error:
        jv.assess(COUNTING, latents=str(tmp_path / "missing.npy"))
    assert error.value.code == 2
    assert "missing.npy" in str(error.value)
