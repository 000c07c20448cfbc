using System.Collections.Immutable;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Mdp.Conditions;

/// <summary>
/// Checks the theorem's hypotheses on an <see cref="MdpModel"/>: unambiguous ids, determinism,
/// completeness and a sane auxiliary function; and, for information, reachability and observations whose
/// feature vectors coincide.
/// </summary>
public static class ConditionChecker
{
    /// <summary>How many offending items each result lists.</summary>
    public const int MaxItems = 5;

    /// <summary>Checks every condition.</summary>
    /// <param name="mdp">The MDP.</param>
    /// <param name="initial">
    /// Observation indices to measure reachability from; null or empty uses <see cref="MdpModel.Initial"/>,
    /// and when that is empty too, reports observations that are no transition's target.
    /// </param>
    /// <returns>The report; it never throws for a well-formed <see cref="MdpModel"/>.</returns>
    public static ConditionReport Check(MdpModel mdp, IReadOnlyList<int>? initial = null)
    {
        if (initial is null || initial.Count == 0)
        {
            initial = [.. mdp.Initial.Select(mdp.IndexOfObservation).Where(i => i >= 0)];
        }

        var determinism = Determinism(mdp, out var successors);
        return new ConditionReport(
            mdp.Source,
            mdp.ObservationCount,
            mdp.ActionCount,
            mdp.Transitions.Length,
            mdp.RepeatedTransitions,
            [Ids(mdp), determinism, Completeness(mdp, successors), Aux(mdp), Reachability(mdp, initial), Features(mdp)])
        {
            Table = determinism.Holds ? TransitionTable.Create(mdp.ObservationCount, mdp.ActionCount, successors) : null,
        };
    }

    private static ConditionResult Ids(MdpModel mdp)
    {
        var items = mdp.Duplicates.Take(MaxItems).Select(d => new ConditionItem($"{d.Kind} '{d.Id}' is declared again (first at {d.First})", d.Repeated)).ToList();
        return Result("ids", items, true, $"{mdp.Duplicates.Length} id(s) declared more than once", "every id is declared once", mdp.Duplicates.Length);
    }

    private static ConditionResult Determinism(MdpModel mdp, out int[] firstSuccessor)
    {
        var k = mdp.ActionCount;
        firstSuccessor = new int[mdp.ObservationCount * k];
        Array.Fill(firstSuccessor, -1);
        var offenders = new SortedDictionary<long, List<int>>();
        for (var ti = 0; ti < mdp.Transitions.Length; ti++)
        {
            var t = mdp.Transitions[ti];
            var slot = (long)t.From * k + t.Action;
            if (firstSuccessor[slot] < 0)
            {
                firstSuccessor[slot] = ti;
            }
            else
            {
                if (!offenders.TryGetValue(slot, out var list))
                {
                    list = [firstSuccessor[slot]];
                    offenders[slot] = list;
                }

                list.Add(ti);
            }
        }

        for (var i = 0; i < firstSuccessor.Length; i++)
        {
            if (firstSuccessor[i] >= 0)
            {
                firstSuccessor[i] = mdp.Transitions[firstSuccessor[i]].To;
            }
        }

        var items = offenders.Values.Take(MaxItems).Select(list =>
        {
            var t = mdp.Transitions[list[0]];
            var targets = string.Join(", ", list.Select(ti => mdp.Shown(mdp.Transitions[ti].To)));
            return new ConditionItem($"'{mdp.Shown(t.From)}' has {list.Count} successors under '{mdp.Actions[t.Action]}': {targets}", mdp.LocationOfTransition(list[1]));
        }).ToList();
        return Result("determinism", items, true, $"{offenders.Count} (observation, action) pair(s) have more than one successor", "every (observation, action) pair has at most one successor", offenders.Count);
    }

    private static ConditionResult Completeness(MdpModel mdp, int[] successors)
    {
        var k = mdp.ActionCount;
        var count = 0;
        var items = new List<ConditionItem>();
        for (var s = 0; s < mdp.ObservationCount; s++)
        {
            for (var a = 0; a < k; a++)
            {
                if (successors[s * k + a] < 0)
                {
                    count++;
                    if (items.Count < MaxItems)
                    {
                        items.Add(new ConditionItem($"'{mdp.Shown(s)}' has no transition under '{mdp.Actions[a]}'", mdp.LocationOfObservation(s)));
                    }
                }
            }
        }

        return Result("completeness", items, true, $"{count} (observation, action) pair(s) have no transition (the finite-data relation applies; or use --missing sink)", "every (observation, action) pair has a transition", count);
    }

    private static ConditionResult Aux(MdpModel mdp)
    {
        var items = new List<ConditionItem>();
        int missing = 0, nonFinite = 0, wrongLength = 0;
        var length = mdp.Aux.FirstOrDefault(a => !a.IsMissing).Length;
        for (var i = 0; i < mdp.ObservationCount; i++)
        {
            var v = mdp.Aux[i];
            var id = mdp.Observations[i];
            if (v.IsMissing)
            {
                missing++;
                if (items.Count < MaxItems)
                {
                    items.Add(new ConditionItem($"'{id}' has no aux value", mdp.LocationOfObservation(i)));
                }
            }
            else if (!v.IsFinite)
            {
                nonFinite++;
                if (items.Count < MaxItems)
                {
                    items.Add(new ConditionItem($"'{id}' has the aux value {v}, which is not finite", mdp.LocationOfAux(i)));
                }
            }
            else if (v.Length != length)
            {
                wrongLength++;
                if (items.Count < MaxItems)
                {
                    items.Add(new ConditionItem($"'{id}' has an aux vector of length {v.Length}, others have {length}", mdp.LocationOfAux(i)));
                }
            }
        }

        var parts = new List<string>();
        if (missing > 0)
        {
            parts.Add($"{missing} missing");
        }

        if (nonFinite > 0)
        {
            parts.Add($"{nonFinite} NaN or infinite");
        }

        if (wrongLength > 0)
        {
            parts.Add($"{wrongLength} of inconsistent length");
        }

        var count = missing + nonFinite + wrongLength;
        var ok = mdp.ObservationCount == 0 ? "no observations" : $"every observation has a finite aux value of length {length}";
        return Result("aux", items, true, $"aux values: {string.Join(", ", parts)}", ok, count);
    }

    private static ConditionResult Reachability(MdpModel mdp, IReadOnlyList<int> initial)
    {
        var n = mdp.ObservationCount;
        bool[] reached;
        string what;
        if (initial.Count > 0)
        {
            reached = mdp.Graph.ReachableFrom(initial);
            what = $"unreachable from the initial set {{{string.Join(", ", initial.Select(mdp.Shown))}}}";
        }
        else
        {
            reached = new bool[n];
            foreach (var t in mdp.Transitions)
            {
                if (t.From != t.To)
                {
                    reached[t.To] = true;
                }
            }

            what = "never reached from another observation";
        }

        var items = new List<ConditionItem>();
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (!reached[i])
            {
                count++;
                if (items.Count < MaxItems)
                {
                    items.Add(new ConditionItem($"'{mdp.Shown(i)}' is {what}", mdp.LocationOfObservation(i)));
                }
            }
        }

        return Result("reachability", items, false, $"{count} observation(s) {what} (information only: the theorem covers them too)", $"every observation is reachable ({(initial.Count > 0 ? "from the initial set" : "from another observation")})", count);
    }

    /// <summary>
    /// Observations whose feature vectors are equal as the models see them (float32; <c>0 = -0</c>): an encoder
    /// must give them one latent, so only bisimilar observations may share features. Values that underflow
    /// (1e-50 and 2e-50 both become 0) are caught here too. Information only: classes and proofs do not read features.
    /// </summary>
    private static ConditionResult Features(MdpModel mdp)
    {
        var first = new Dictionary<ImmutableArray<float>, int>(FeatureComparer.Instance);
        var items = new List<ConditionItem>();
        var count = 0;
        var auxDiffers = 0;
        for (var i = 0; i < mdp.ObservationCount; i++)
        {
            var f = mdp.Features[i];
            if (f.IsDefault)
            {
                continue;
            }

            if (!first.TryAdd(f, i))
            {
                var j = first[f];
                count++;
                var differ = !mdp.Aux[i].Equals(mdp.Aux[j]);
                auxDiffers += differ ? 1 : 0;
                if (items.Count < MaxItems)
                {
                    var why = differ ? $" although their aux values differ ({mdp.Aux[j]} and {mdp.Aux[i]}): no encoder can keep them apart" : "";
                    items.Add(new ConditionItem($"'{mdp.Shown(i)}' has the same features as '{mdp.Shown(j)}' (as float32){why}", mdp.LocationOfObservation(i)));
                }
            }
        }

        var summary = $"{count} observation(s) have the features of an earlier one (as float32){(auxDiffers > 0 ? $", {auxDiffers} of them with a different aux value, so the theorem's premise cannot be reached with these features" : "")}; information only: only bisimilar observations may share features";
        return Result("features", items, false, summary, "no two observations have the same features", count);
    }

    /// <summary>Equality of feature vectors as float32 values (so 0 equals -0), with a matching hash.</summary>
    private sealed class FeatureComparer : IEqualityComparer<ImmutableArray<float>>
    {
        public static FeatureComparer Instance { get; } = new();

        public bool Equals(ImmutableArray<float> x, ImmutableArray<float> y) => x.AsSpan().SequenceEqual(y.AsSpan());

        public int GetHashCode(ImmutableArray<float> obj)
        {
            var h = default(HashCode);
            foreach (var v in obj)
            {
                h.Add(v == 0 ? 0f : v);
            }

            return h.ToHashCode();
        }
    }

    private static ConditionResult Result(string name, List<ConditionItem> items, bool hypothesis, string failSummary, string okSummary, int? count = null)
    {
        var c = count ?? items.Count;
        return new ConditionResult(name, c == 0, c, [.. items.Take(MaxItems)], hypothesis, c == 0 ? okSummary : failSummary);
    }
}
