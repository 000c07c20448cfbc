namespace Jepa.Verify.Learning.Certify;

/// <summary>What a <see cref="HeadLayer"/> computes.</summary>
public enum HeadLayerKind
{
    /// <summary><c>y = W·x + b</c>.</summary>
    Affine,

    /// <summary>An element-wise non-linearity.</summary>
    Activation,

    /// <summary><c>y = γ ⊙ (x − mean) / √(var + ε) + β</c> over the row.</summary>
    LayerNorm,
}
