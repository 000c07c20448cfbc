using System.Collections.Immutable;
using Jepa.Verify.Environments.Counting;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>The names of the <see cref="ReferenceMode"/>s (the reference code's) and what each trains.</summary>
public static class ReferenceModes
{
    /// <summary>Every mode in table order.</summary>
    public static readonly ImmutableArray<ReferenceMode> All = [.. Enum.GetValues<ReferenceMode>()];

    /// <summary>The names, indexed by the mode: <c>joint</c>, <c>dense</c>, <c>reward-only</c>, <c>transition-only</c>, <c>random-aux</c>, <c>separate</c>.</summary>
    public static readonly ImmutableArray<string> Names = ["joint", "dense", "reward-only", "transition-only", "random-aux", "separate"];

    /// <summary>The name of <paramref name="mode"/>.</summary>
    public static string Name(ReferenceMode mode) => Names[(int)mode];

    /// <summary>The mode named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">When no mode has that name.</exception>
    public static ReferenceMode Parse(string name) =>
        Names.IndexOf(name) is var i and >= 0 ? (ReferenceMode)i : throw new ArgumentException($"unknown mode '{name}'; one of {string.Join(", ", Names)}", nameof(name));

    /// <summary>The training mode and the reward a run of <paramref name="mode"/> trains with.</summary>
    public static (TrainingMode Training, CountingReward Reward) Of(ReferenceMode mode) => mode switch
    {
        ReferenceMode.Joint => (TrainingMode.Joint, CountingReward.Sparse),
        ReferenceMode.Dense => (TrainingMode.Joint, CountingReward.Dense),
        ReferenceMode.RewardOnly => (TrainingMode.AuxOnly, CountingReward.Sparse),
        ReferenceMode.TransitionOnly => (TrainingMode.DynOnly, CountingReward.Sparse),
        ReferenceMode.RandomAux => (TrainingMode.RandomAux, CountingReward.Sparse),
        ReferenceMode.Separate => (TrainingMode.Separate, CountingReward.Sparse),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown mode"),
    };

    /// <summary>Whether the theorem's verdict applies: the model trains the consistency loss and the aux of its classes.</summary>
    public static bool TheoremApplies(ReferenceMode mode) => mode is ReferenceMode.Joint or ReferenceMode.Dense or ReferenceMode.RandomAux;
}
