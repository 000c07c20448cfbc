namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>The runs of the reference code's counting experiment, each a <see cref="Learning.Jepa.TrainingMode"/> on a reward (<see cref="ReferenceModes"/>).</summary>
public enum ReferenceMode
{
    /// <summary>P-JEPA, joint training on the sparse reward (1 iff count = target).</summary>
    Joint,

    /// <summary>P-JEPA, joint training on the dense reward <c>1 − |count − target| / 8</c>.</summary>
    Dense,

    /// <summary>The encoder trained by the reward alone, the transition fitted on detached latents (<c>aux-only</c>).</summary>
    RewardOnly,

    /// <summary>The consistency loss alone, no aux head (<c>dyn-only</c>).</summary>
    TransitionOnly,

    /// <summary>Joint training on a frozen random linear map of the pixels instead of the reward (<c>random-aux</c>).</summary>
    RandomAux,

    /// <summary>The encoder trained by consistency alone, then a reward head on the frozen encoder (<c>separate</c>).</summary>
    Separate,
}
