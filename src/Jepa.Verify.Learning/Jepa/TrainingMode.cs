namespace Jepa.Verify.Learning.Jepa;

/// <summary>What P-JEPA is trained on: the theorem's model and its ablations.</summary>
public enum TrainingMode
{
    /// <summary><c>L = L_dyn + c_p · L_p</c>, the theorem's model.</summary>
    Joint,

    /// <summary>
    /// The encoder trained by <c>L_p</c> alone (only distinctions of the aux itself are forced), the transition fitted to the
    /// detached latents beside it: the reference code's reward-only ablation.
    /// </summary>
    AuxOnly,

    /// <summary><c>L_dyn</c> alone: a constant encoder has zero loss (complete collapse is allowed).</summary>
    DynOnly,

    /// <summary>Joint training with the aux replaced by a frozen random linear map of the features (the paper's random auxiliary).</summary>
    RandomAux,

    /// <summary>The encoder (and transition) trained with <c>L_dyn</c> alone, then an aux head fitted on the frozen encoder.</summary>
    Separate,
}
