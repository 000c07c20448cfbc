"""MDP files for jepa-verify from the forms environments take in Python: a step function, or a replay buffer.

The file is the JSON format every jepa-verify command reads (docs/formats.md): actions, observations (id, aux, labels,
features) and transitions. Features are each observation's content, flattened row-major; images are given as
[C, H, W] (PyTorch's order), so an ONNX encoder taking [N, C, H, W] reads them back in the same layout. The file's
"feature_shape" records that shape (up to 3 dimensions), and `jepa-verify train` then reads [C, H, W] (or [H, W])
features with its convolutional encoder.
"""
import json
import math
from collections import deque

__all__ = ["mdp_from_step", "mdp_from_transitions", "write_mdp"]


def _flatten(value):
    """A render result (NumPy array, torch tensor or nested lists) as a flat list of floats, row-major."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if hasattr(value, "ravel"):
        return [float(v) for v in value.ravel(order="C")]
    out = []

    def walk(v):
        if isinstance(v, (list, tuple)):
            for item in v:
                walk(item)
        else:
            out.append(float(v))

    walk(value)
    return out


def _shape(value):
    if hasattr(value, "shape"):
        return [int(d) for d in value.shape]
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        value = value[0] if value else None
    return shape


def _aux(value, where):
    """A number or a sequence of numbers, finite."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
            raise ValueError(f"{where}: the aux value {value!r} is not a finite number (or a list of them)")
    return values[0] if not isinstance(value, (list, tuple)) else values


def mdp_from_step(step, starts, actions, aux, render=None, labels=None, ids=None, max_states=100_000):
    """Explores a deterministic environment breadth-first from `starts` and returns its MDP as a dict.

    step(state, action) -> next state (states must be hashable); actions: the action names, each passed to step;
    aux(state) -> a number or a list of numbers (the auxiliary target p(o), e.g. the reward of the state);
    render(state) -> the observation's features (an array; images as [C, H, W]), or None for one-hot ids;
    labels(state) -> a dict of ground-truth labels for `jepa-verify audit`; ids(state) -> the observation's id
    (default str(state), which must then be unique). Every (state, action) is stepped once, so the MDP is complete.
    Raises ValueError past max_states reachable states, or when two states get one id.
    """
    actions = list(actions)
    if not actions:
        raise ValueError("give at least one action")
    index, order, queue = {}, [], deque()

    def visit(state):
        if state not in index:
            if len(order) >= max_states:
                raise ValueError(f"more than {max_states} states are reachable; raise max_states or make the state smaller")
            index[state] = len(order)
            order.append(state)
            queue.append(state)
        return index[state]

    for s in starts:
        visit(s)
    transitions = []
    while queue:
        s = queue.popleft()
        for a, name in enumerate(actions):
            transitions.append((index[s], a, visit(step(s, name))))

    name_of = ids or str
    names = [str(name_of(s)) for s in order]
    seen = {}
    for i, n in enumerate(names):
        if n in seen:
            raise ValueError(f"states {order[seen[n]]!r} and {order[i]!r} both get the id {n!r}; pass ids=lambda s: ... that tells them apart")
        seen[n] = i

    observations = []
    feature_shape = None
    for i, s in enumerate(order):
        o = {"id": names[i], "aux": _aux(aux(s), f"aux({order[i]!r})")}
        if labels is not None:
            o["labels"] = dict(labels(s))
        if render is not None:
            picture = render(s)
            shape = _shape(picture)
            if feature_shape is None:
                feature_shape = shape
            elif shape != feature_shape:
                raise ValueError(f"render({s!r}) has shape {shape}, but render({order[0]!r}) had {feature_shape}; every observation needs the same shape")
            o["features"] = _flatten(picture)
        observations.append(o)
    mdp = {"actions": [str(a) for a in actions], "observations": observations,
           "transitions": [{"from": names[f], "action": str(actions[a]), "to": names[t]} for f, a, t in transitions]}
    _add_shape(mdp, feature_shape)
    return mdp


def _add_shape(mdp, shape):
    """Records the features' shape when jepa-verify can read it (1 to 3 dimensions, [C, H, W] for images)."""
    if shape is not None and 1 <= len(shape) <= 3:
        mdp["feature_shape"] = [int(d) for d in shape]


def mdp_from_transitions(obs, actions, next_obs, aux=None, next_aux=None, rewards=None, num_actions=None,
                         missing_reward=None, action_names=None):
    """A replay buffer as a dataset MDP: identical observations (by content) become one observation.

    obs, next_obs: arrays [T, ...] (images [T, C, H, W]); actions: int array [T] in 0..num_actions-1.
    The auxiliary target is given one of two ways:
      aux (and next_aux): p(o) per transition's source (and target) observation, [T] or [T, k];
      rewards: r(o, a) per transition, [T]; each observation's aux is then the vector (r(o, a_0), ..., r(o, a_K-1)),
        which the theorem covers. An (o, a) never observed has no reward: pass missing_reward=VALUE to assert one
        (it can merge or split classes), or a ValueError names the first such pair.
    The same (o, a) leading to two different next observations, or one observation given two aux values, is a
    ValueError (the theorem needs a deterministic MDP). Observations only ever reached get no transitions: the
    finite-data relation of jepa-verify then applies (docs/formats.md).
    """
    import numpy as np

    obs, next_obs = np.asarray(obs), np.asarray(next_obs)
    actions = np.asarray(actions).astype(np.int64).ravel()
    if obs.shape != next_obs.shape or obs.shape[0] != actions.shape[0]:
        raise ValueError(f"obs {obs.shape}, actions {actions.shape} and next_obs {next_obs.shape} must have one row per transition")
    if (aux is None) == (rewards is None):
        raise ValueError("give the auxiliary target one way: aux= (per observation) or rewards= (per transition)")
    k = int(num_actions if num_actions is not None else (actions.max() + 1 if actions.size else 0))
    if actions.size and (actions.min() < 0 or actions.max() >= k):
        raise ValueError(f"actions must lie in 0..{k - 1}")
    names = [str(n) for n in (action_names or range(k))]

    index, rows = {}, []

    def key(row):
        row = np.ascontiguousarray(row)
        return (row.dtype.str, row.shape, row.tobytes())

    def visit(row):
        kk = key(row)
        if kk not in index:
            index[kk] = len(rows)
            rows.append(row)
        return index[kk]

    frm = [visit(o) for o in obs]
    to = [visit(o) for o in next_obs]
    n = len(rows)
    step = {}
    for t, (f, a, g) in enumerate(zip(frm, actions.tolist(), to)):
        if step.setdefault((f, a), g) != g:
            raise ValueError(f"transition {t}: observation o{f} with action {a} leads to o{g}, but earlier to o{step[(f, a)]}: the MDP must be deterministic")

    values = [None] * n

    def give(o, value, where):
        value = _aux(value, where)
        if values[o] is None:
            values[o] = value
        elif values[o] != value:
            raise ValueError(f"{where}: observation o{o} has aux {value!r} here but {values[o]!r} before: one aux value per observation")

    if aux is not None:
        aux = np.asarray(aux)
        for t, o in enumerate(frm):
            give(o, aux[t], f"aux[{t}]")
        if next_aux is not None:
            next_aux = np.asarray(next_aux)
            for t, o in enumerate(to):
                give(o, next_aux[t], f"next_aux[{t}]")
        missing = [o for o in range(n) if values[o] is None]
        if missing:
            raise ValueError(f"observation o{missing[0]} (and {len(missing) - 1} more) appears only as a next observation and has no aux value; pass next_aux=")
    else:
        rewards = np.asarray(rewards, dtype=float).ravel()
        table = {}
        for t, (f, a) in enumerate(zip(frm, actions.tolist())):
            r = float(rewards[t])
            if table.setdefault((f, a), r) != r:
                raise ValueError(f"rewards[{t}]: r(o{f}, {a}) = {r} here but {table[(f, a)]} before: rewards must be deterministic")
        for o in range(n):
            vector = []
            for a in range(k):
                if (o, a) in table:
                    vector.append(table[(o, a)])
                elif missing_reward is not None:
                    vector.append(float(missing_reward))
                else:
                    raise ValueError(f"(o{o}, action {a}) was never observed, so its reward is unknown; pass missing_reward=VALUE to assert one, or collect that transition")
            values[o] = vector

    observations = [{"id": f"o{i}", "aux": values[i], "features": _flatten(rows[i])} for i in range(n)]
    transitions = [{"from": f"o{f}", "action": names[a], "to": f"o{g}"} for (f, a), g in sorted(step.items())]
    mdp = {"actions": names, "observations": observations, "transitions": transitions}
    _add_shape(mdp, [int(d) for d in obs.shape[1:]])
    return mdp


def write_mdp(mdp, path):
    """Writes the MDP as one line of JSON, an observation at a time (a large image MDP is never one string)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"actions": ' + json.dumps(mdp["actions"]))
        if "feature_shape" in mdp:
            f.write(', "feature_shape": ' + json.dumps(mdp["feature_shape"]))
        f.write(', "observations": [')
        for i, o in enumerate(mdp["observations"]):
            f.write((", " if i else "") + json.dumps(o, separators=(",", ":")))
        f.write('], "transitions": [')
        for i, t in enumerate(mdp["transitions"]):
            f.write((", " if i else "") + json.dumps(t, separators=(",", ":")))
        f.write("]}\n")
    return path
