namespace Jepa.Verify.Properties.Learning;

/// <summary>Which model a <see cref="CertificateCase"/> certifies.</summary>
public enum CertificateModelKind
{
    /// <summary>A freshly initialised P-JEPA (large residuals).</summary>
    Random,

    /// <summary>P-JEPA after 300 joint steps.</summary>
    Trained,

    /// <summary>One one-hot latent per bisimulation class and heads that are exact on them (zero residuals).</summary>
    Quotient,

    /// <summary>P-JEPA with Mish and LayerNorm in its hidden layers (TD-MPC2's heads), after 300 joint steps.</summary>
    LayerNorm,

    /// <summary>As <see cref="LayerNorm"/>, with a two-hot aux head (logits over symlog bins, certified through their softmax expectation).</summary>
    TwoHot,
}
