using System.Collections.Immutable;

namespace Jepa.Verify.Learning.Jepa;

/// <summary>The outcome of <see cref="PJepaTrainer.Train"/>: the trained model, final losses, latents and history.</summary>
/// <param name="Config">The configuration that produced it.</param>
/// <param name="Model">The trained model (in evaluation mode).</param>
/// <param name="Status">How training ended.</param>
/// <param name="Steps">
/// Optimizer steps that produced the model: those taken, or, when joint training with a certification goal ended
/// uncertified and put the model back to its best evaluation, that evaluation's step (<see cref="StepsTrained"/> were taken).
/// </param>
/// <param name="LossDyn">Final L_dyn over all transitions (NaN when diverged).</param>
/// <param name="LossAux">Final L_p over all transitions (NaN when diverged).</param>
/// <param name="Message">Why training diverged, or null.</param>
/// <param name="History">Full-data losses at every evaluation.</param>
/// <param name="Latents">E(o) for every observation, row-major <c>[observations × LatentDim]</c>.</param>
/// <param name="AuxTargets">The aux targets trained on (the random map's values in <see cref="TrainingMode.RandomAux"/>), row-major.</param>
/// <param name="AuxDim">Aux target dimension.</param>
/// <param name="StepSeconds">Wall time spent in optimizer steps (forward, backward, update), full-data evaluations excluded; not deterministic.</param>
public sealed record TrainingResult(
    PJepaConfig Config,
    PJepaModel Model,
    TrainingStatus Status,
    int Steps,
    double LossDyn,
    double LossAux,
    string? Message,
    ImmutableArray<LossPoint> History,
    ImmutableArray<float> Latents,
    ImmutableArray<float> AuxTargets,
    int AuxDim,
    double StepSeconds)
{
    /// <summary>Optimizer steps taken (at least <see cref="Steps"/>).</summary>
    public int StepsTrained { get; init; } = Steps;

    /// <summary>Latent dimension.</summary>
    public int LatentDim => Model.Shape.LatentDim;

    /// <summary>Whether both L_dyn and L_p are below <see cref="PJepaConfig.LossTarget"/> (the theorem's hypothesis).</summary>
    public bool BothLossesBelowTarget => LossDyn < Config.LossTarget && LossAux < Config.LossTarget;
}
