using System.Collections.Immutable;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>
/// What the reference code's counting experiment runs (<see cref="ReferenceCountingExperiment"/>): its data distribution,
/// its model and losses (<see cref="PJepaConfig.Paper"/> with the convolutional encoder), its modes and evaluation, scaled
/// to a CPU budget.
/// </summary>
/// <param name="Size">Image side in pixels (the reference: 64).</param>
/// <param name="Episodes">Training trajectories per seed (the reference streams them from a replay buffer).</param>
/// <param name="EpisodeSteps">Uniformly random actions per trajectory (the reference: 4).</param>
/// <param name="Probes">Held-out probe observations (the reference: 256).</param>
/// <param name="Training">The config every run trains with; its mode and seed are set per run.</param>
/// <param name="Modes">The modes, in table order.</param>
/// <param name="Seeds">The seeds: each draws its own trajectories, probes and initialisation.</param>
/// <param name="DecoderSteps">Adam steps of the decoder probe.</param>
/// <param name="Collapse">The tolerance of the clusters and of the verdict.</param>
/// <param name="Quick">Whether these are the quick settings (for the report's caption).</param>
/// <param name="Target">The rewarded count (the reference: 4).</param>
public sealed record ReferenceCountingSettings(
    int Size,
    int Episodes,
    int EpisodeSteps,
    int Probes,
    PJepaConfig Training,
    ImmutableArray<ReferenceMode> Modes,
    ImmutableArray<ulong> Seeds,
    int DecoderSteps,
    CollapseOptions Collapse,
    bool Quick,
    int Target = 4)
{
    /// <summary>
    /// The quick settings, for the demo and the tests (under 3 minutes for all six modes on 2 cores): 32×32 images,
    /// 120 trajectories of 4 steps (about 550 observations), 150 steps of batch 64, a decoder probe of 150 steps.
    /// </summary>
    public static ReferenceCountingSettings QuickSettings(ImmutableArray<ulong> seeds, ImmutableArray<ReferenceMode> modes) =>
        new(32, 120, 4, 256, PaperModel(32, steps: 150, batch: 64), modes, seeds, 150, CollapseOptions.Default, Quick: true);

    /// <summary>
    /// The full settings: the reference's 64×64 images, 1,000 trajectories of 4 steps (about 4,500 observations), the
    /// reference's model and losses with batch 64 and 3,200 steps per run (sized so that 6 modes × 3 seeds take about
    /// 90 minutes on 2 cores after the convolution rewrite; docs/counting.md gives the per-run cost), a decoder probe of 300 steps.
    /// </summary>
    public static ReferenceCountingSettings FullSettings(ImmutableArray<ulong> seeds, ImmutableArray<ReferenceMode> modes) =>
        new(64, 1000, 4, 256, PaperModel(64, steps: 3200, batch: 64), modes, seeds, 300, CollapseOptions.Default, Quick: false);

    /// <summary>These settings with a step budget of <paramref name="steps"/> per run, still evaluated four times per run.</summary>
    public ReferenceCountingSettings WithSteps(int steps) => this with { Training = Training with { Steps = steps, EvalEvery = EvaluationInterval(steps) } };

    /// <summary>What is wrong with the settings, or null.</summary>
    public string? Problem() =>
        Environments.Counting.CountingEnvironment.DatasetProblem(Episodes, EpisodeSteps)
        ?? (Probes is < 9 or > 4096 ? $"probes must be 9 to 4096, got {Probes}" : null)
        ?? (DecoderSteps < 0 ? $"decoder steps must be >= 0, got {DecoderSteps}" : null)
        ?? (Modes.IsDefaultOrEmpty || Seeds.IsDefaultOrEmpty ? "at least one mode and one seed" : null)
        ?? Training.Problem();

    /// <summary>The reference's model and losses (<see cref="PJepaConfig.Paper"/>) over <paramref name="size"/>² RGB images, evaluated four times per run.</summary>
    private static PJepaConfig PaperModel(int size, int steps, int batch) =>
        PJepaConfig.Paper(new PJepaConfig(Steps: steps, EvalEvery: EvaluationInterval(steps))) with
        {
            ImageEncoder = ImageEncoderShape.Default(3, size, size),
            BatchSize = batch,
        };

    private static int EvaluationInterval(int steps) => Math.Max(1, steps / 4);
}
