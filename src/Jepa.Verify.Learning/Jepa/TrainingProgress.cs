namespace Jepa.Verify.Learning.Jepa;

/// <summary>Reported to a progress sink at every full-data evaluation.</summary>
/// <param name="Step">Steps taken.</param>
/// <param name="TotalSteps">The step budget (both phases for <see cref="TrainingMode.Separate"/>).</param>
/// <param name="LossDyn">L_dyn over all transitions.</param>
/// <param name="LossAux">L_p over all transitions.</param>
public readonly record struct TrainingProgress(int Step, int TotalSteps, double LossDyn, double LossAux);
