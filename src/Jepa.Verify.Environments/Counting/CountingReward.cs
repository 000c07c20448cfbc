namespace Jepa.Verify.Environments.Counting;

/// <summary>The counting environment's auxiliary value.</summary>
public enum CountingReward
{
    /// <summary>The paper's reward: 1 iff count = target, else 0.</summary>
    Sparse,

    /// <summary>A dense variant: <c>1 − |count − target| / 8</c>.</summary>
    Dense,
}
