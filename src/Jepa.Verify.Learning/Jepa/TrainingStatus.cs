namespace Jepa.Verify.Learning.Jepa;

/// <summary>How a training run ended.</summary>
public enum TrainingStatus
{
    /// <summary>L_dyn and L_p both fell below the loss target (training stops early then).</summary>
    Converged,

    /// <summary>The step budget ran out first.</summary>
    BudgetExhausted,

    /// <summary>A loss became NaN or infinite; training stopped.</summary>
    Diverged,
}
