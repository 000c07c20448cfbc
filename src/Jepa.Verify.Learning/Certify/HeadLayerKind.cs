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

    /// <summary>
    /// A two-hot head's decoded value: <c>y = Σᵢ softmax(x)ᵢ·bᵢ</c> over the bin values b (one output). Its gradient is
    /// <c>pᵢ(bᵢ − y)</c>, of 2-norm at most √Var_p(b) ≤ (max b − min b)/2 (Popoviciu).
    /// </summary>
    SoftmaxExpectation,
}
