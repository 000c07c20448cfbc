using System.Collections.Immutable;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Pipeline.Check;

/// <summary>
/// What <c>jepa-verify check</c> runs, read from a config file by <see cref="CheckConfigReader"/>
/// (format: docs/formats.md). Paths in the file are relative to the file's folder; here they are resolved.
/// </summary>
/// <param name="Path">The config file as the user named it.</param>
/// <param name="Name">The suite name used in every report (default: the file name without extension).</param>
/// <param name="Environment">What the environment is, for reports, e.g. <c>file examples/counting.json</c>.</param>
/// <param name="Build">Loads or builds the MDP, with the config's aux file applied.</param>
/// <param name="Options">Aux tolerance, missing transitions and the pair limit.</param>
/// <param name="Training">Model and training settings; the seed is replaced per run.</param>
/// <param name="Seeds">One training run per seed.</param>
/// <param name="Solver">z3, cvc5 or both; null to skip the proof.</param>
/// <param name="SolverTimeout">Per query.</param>
/// <param name="Tolerance">Latents closer than this × the RMS latent norm count as collapsed.</param>
/// <param name="ExpectedClasses">The bisimulation class count the environment must have, or null.</param>
/// <param name="ExpectedMinLatents">The <c>min_latents</c> the proof must find, or null.</param>
/// <param name="MaxViolations">Collapsed non-equivalent pairs allowed per seed (default 0).</param>
/// <param name="BaselinePath">The baseline file (resolved), or null.</param>
/// <param name="External">A model trained elsewhere to assess instead of training (then <see cref="Training"/> and <see cref="Seeds"/> are unused), or null.</param>
public sealed record CheckConfig(
    string Path,
    string Name,
    string Environment,
    Func<MdpModel> Build,
    BisimulationOptions Options,
    PJepaConfig Training,
    ImmutableArray<ulong> Seeds,
    string? Solver,
    TimeSpan SolverTimeout,
    double Tolerance,
    int? ExpectedClasses,
    int? ExpectedMinLatents,
    long MaxViolations,
    string? BaselinePath,
    ExternalModel? External = null)
{
    /// <summary>The role of the environment file in <see cref="Inputs"/>, when the environment is a file rather than a built-in one.</summary>
    public const string EnvironmentFileRole = "the environment file";

    /// <summary>Every file the check reads, with its role (<c>the config</c>, <c>the environment file</c>, …): no output may name one.</summary>
    public ImmutableArray<(string Role, string Path)> Inputs { get; init; } = [];

    /// <summary>Lower bounds on the collapse metrics (<c>thresholds.min_rankme</c>, …), checked in every collapse case.</summary>
    public ImmutableArray<CollapseMetricThreshold> MetricThresholds { get; init; } = [];

    /// <summary>Which encoder is trained (<c>model.encoder</c>: auto, the default, picks the convolutional one for an MDP whose <c>"feature_shape"</c> says its features are images).</summary>
    public EncoderChoice Encoder { get; init; }

    /// <summary>The convolutional encoder's stage widths (<c>model.stages</c>), or null for the default.</summary>
    public ImmutableArray<int>? Stages { get; init; }

    /// <summary>What the certify case requires (<c>thresholds.require</c>, <c>thresholds.min_certified_fraction</c>); null for the default (certified with heads, apart for latents or an encoder alone).</summary>
    public Requirement? Requirement { get; init; }
}
