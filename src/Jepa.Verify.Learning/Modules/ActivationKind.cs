namespace Jepa.Verify.Learning.Modules;

/// <summary>The element-wise non-linearities the engine provides.</summary>
public enum ActivationKind
{
    /// <summary><c>max(x, 0)</c>.</summary>
    Relu,

    /// <summary><c>x · tanh(softplus(x))</c>.</summary>
    Mish,

    /// <summary><c>tanh(x)</c>.</summary>
    Tanh,
}
