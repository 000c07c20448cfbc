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
/// <param name="Encoder">
/// The encoder every mode trains (<see cref="EncoderChoice.Auto"/>: the convolutional encoder when the environment is
/// channel-major, which says its features are images, as <c>train</c> chooses).
/// </param>
/// <param name="MlpComparison">Also train joint with the MLP encoder on every seed (the table's <c>joint (MLP)</c> row), when joint is among the modes and the encoder is not already the MLP.</param>
/// <param name="DecoderSteps">Adam steps of the decoder probe (latents → images, trained on the probes' training split); 0: no decoder probe.</param>
public sealed record CountingSettings(
    CountingOptions Environment,
    PJepaConfig Training,
    ImmutableArray<TrainingMode> Modes,
    ImmutableArray<ulong> Seeds,
    CollapseOptions Collapse,
    bool Quick,
    EncoderChoice Encoder = EncoderChoice.Auto,
    bool MlpComparison = false,
    int DecoderSteps = 0)
{
    /// <summary>All five modes in the order of the paper's discussion.</summary>
    public static readonly ImmutableArray<TrainingMode> AllModes = [TrainingMode.Joint, TrainingMode.RandomAux, TrainingMode.AuxOnly, TrainingMode.DynOnly, TrainingMode.Separate];

    /// <summary>The table row of the MLP comparison.</summary>
    public const string MlpRow = "joint (MLP)";

    /// <summary>
    /// The quick settings: 32×32 images, 4 families (one per shape) × 2 layouts = 72 observations, channel-major (so the
    /// convolutional encoder), <c>train</c>'s defaults for every mode (joint stops once certified), the MLP comparison
    /// row, and a decoder probe of 150 steps. About a minute per run on 2 cores.
    /// </summary>
    public static CountingSettings QuickSettings(ImmutableArray<ulong> seeds, ImmutableArray<TrainingMode> modes) => new(
        new CountingOptions(Families: 4, Layouts: 2, Size: 32, ChannelMajor: true),
        new PJepaConfig(),
        modes, seeds, CollapseOptions.Default, Quick: true, MlpComparison: true, DecoderSteps: 150);

    /// <summary>
    /// The full settings: the paper's 64×64 images, 8 families × 2 layouts = 144 observations, channel-major (so the
    /// convolutional encoder), <c>train</c>'s defaults for every mode (joint stops once certified), the MLP comparison
    /// row, and a decoder probe of 300 steps.
    /// </summary>
    public static CountingSettings FullSettings(ImmutableArray<ulong> seeds, ImmutableArray<TrainingMode> modes) => new(
        new CountingOptions(Families: 8, Layouts: 2, Size: 64, ChannelMajor: true),
        new PJepaConfig(),
        modes, seeds, CollapseOptions.Default, Quick: false, MlpComparison: true, DecoderSteps: 300);

    /// <summary>
    /// The demo's settings: the quick environment with interleaved features, the MLP encoder and the paper's plain model
    /// (at most 6,000 steps with a cosine schedule and gradient clipping at norm 1, no Lipschitz penalty, one-step losses), no
    /// decoder probe. Seconds per run on 2 cores.
    /// </summary>
    public static CountingSettings Demo(ImmutableArray<ulong> seeds, ImmutableArray<TrainingMode> modes) => new(
        new CountingOptions(Families: 4, Layouts: 2, Size: 32),
        new PJepaConfig(Steps: 6000, CosineSchedule: true, GradClipNorm: 1f, LipschitzPenalty: 0, Horizon: 1),
        modes, seeds, CollapseOptions.Default, Quick: true, Encoder: EncoderChoice.Mlp);

    /// <summary>The table's rows in order: every mode's name, then <see cref="MlpRow"/> when the MLP comparison runs.</summary>
    public ImmutableArray<string> Rows => [.. Modes.Select(TrainingModes.Name), .. RunsMlpComparison ? [MlpRow] : Array.Empty<string>()];

    /// <summary>Whether the MLP comparison row runs: asked for, joint among the modes, and the encoder not already the MLP.</summary>
    public bool RunsMlpComparison => MlpComparison && Modes.Contains(TrainingMode.Joint) && Encoder != EncoderChoice.Mlp;
}
