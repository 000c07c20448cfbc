namespace Jepa.Verify.Learning.Jepa;

/// <summary>The full-data losses after <paramref name="Step"/> optimizer steps.</summary>
/// <param name="Step">Steps taken so far (both phases of <see cref="TrainingMode.Separate"/> counted).</param>
/// <param name="LossDyn">L_dyn over all transitions.</param>
/// <param name="LossAux">L_p over all transitions.</param>
public readonly record struct LossPoint(int Step, double LossDyn, double LossAux);
