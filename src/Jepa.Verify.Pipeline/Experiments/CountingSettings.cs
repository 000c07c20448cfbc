using System.Collections.Immutable;
using Jepa.Verify.Environments.Counting;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>What the counting experiment runs: the environment, the training config shared by every mode, the modes and the seeds.</summary>
/// <param name="Environment">The exact counting MDP's options.</param>
/// <param name="Training">The config every mode trains with (its mode and seed are replaced per run).</param>
/// <param name="Modes">The modes, in table order.</param>
/// <param name="Seeds">The training seeds, in order.</param>
/// <param name="Collapse">The separation tolerance of the verdict and the clusters.</param>
/// <param name="Quick">Whether these are the quick settings (for the table's caption).</param>
public sealed record CountingSettings(CountingOptions Environment, PJepaConfig Training, ImmutableArray<TrainingMode> Modes, ImmutableArray<ulong> Seeds, CollapseOptions Collapse, bool Quick)
{
    /// <summary>All five modes in the order of the paper's discussion.</summary>
    public static readonly ImmutableArray<TrainingMode> AllModes = [TrainingMode.Joint, TrainingMode.RandomAux, TrainingMode.AuxOnly, TrainingMode.DynOnly, TrainingMode.Separate];

    /// <summary>
    /// The quick settings: 32×32 images, 4 families (one per shape) × 2 layouts = 72 observations,
    /// 6,000 steps with a cosine schedule and gradient clipping at norm 1, the paper's plain model (no Lipschitz penalty,
    /// one-step losses).
    /// Each run takes seconds on 2 cores.
    /// </summary>
    public static CountingSettings QuickSettings(ImmutableArray<ulong> seeds, ImmutableArray<TrainingMode> modes) => new(
        new CountingOptions(Families: 4, Layouts: 2, Size: 32),
        new PJepaConfig(Steps: 6000, CosineSchedule: true, GradClipNorm: 1f, LipschitzPenalty: 0, Horizon: 1),
        modes, seeds, CollapseOptions.Default, Quick: true);

    /// <summary>
    /// The full settings: the paper's 64×64 images, 8 families × 2 layouts = 144 observations, at
    /// most 6,000 steps with a cosine schedule and gradient clipping at norm 1, the paper's plain model (one-step losses).
    /// </summary>
    public static CountingSettings FullSettings(ImmutableArray<ulong> seeds, ImmutableArray<TrainingMode> modes) => new(
        new CountingOptions(Families: 8, Layouts: 2, Size: 64),
        new PJepaConfig(Steps: 6000, CosineSchedule: true, GradClipNorm: 1f, LipschitzPenalty: 0, Horizon: 1),
        modes, seeds, CollapseOptions.Default, Quick: false);
}
