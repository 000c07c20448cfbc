namespace Jepa.Verify.Learning.Certify;

/// <summary>
/// The element-wise activations a <see cref="HeadChain"/> can bound: those our models train with and those PyTorch
/// heads are exported with. Each has a slope range (<see cref="HeadChain.DerivativeRange"/>) checked numerically by a test.
/// </summary>
public enum HeadActivation
{
    /// <summary><c>max(x, 0)</c>.</summary>
    Relu,

    /// <summary><c>tanh(x)</c>.</summary>
    Tanh,

    /// <summary><c>x · tanh(softplus(x))</c>.</summary>
    Mish,

    /// <summary><c>x</c> for x ≥ 0, <c>α·x</c> below (α the layer's <see cref="HeadLayer.Alpha"/>).</summary>
    LeakyRelu,

    /// <summary><c>x</c> for x ≥ 0, <c>α·(eˣ − 1)</c> below.</summary>
    Elu,

    /// <summary><c>1 / (1 + e⁻ˣ)</c>.</summary>
    Sigmoid,

    /// <summary><c>log(1 + eˣ)</c>.</summary>
    Softplus,

    /// <summary>SiLU (swish): <c>x · sigmoid(x)</c>.</summary>
    Silu,

    /// <summary>GELU, exact form: <c>x · Φ(x) = x/2 · (1 + erf(x/√2))</c>.</summary>
    GeluErf,

    /// <summary>GELU, tanh form: <c>x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³)))</c>.</summary>
    GeluTanh,
}
