namespace Jepa.Verify.Environments.Counting;

/// <summary>The parameters of the image counting environment.</summary>
/// <param name="Families">Observation families (one shape and one colour each); shapes cycle circle, square, triangle, line.</param>
/// <param name="Layouts">Exact mode: layouts per (family, count).</param>
/// <param name="Size">Image side in pixels (64 as in the paper).</param>
/// <param name="Target">The rewarded count, 0 to 8.</param>
/// <param name="Reward">Sparse (the paper's) or dense.</param>
/// <param name="Seed">Draws the family colours, the layouts and, in dataset mode, the trajectories.</param>
/// <param name="Features">Whether observations carry their pixels as features (off for structure-only use).</param>
/// <param name="ChannelMajor">Features channel-major (<c>[3, size, size]</c>, what <c>train --image 3xNxN</c> reads) instead of interleaved RGB; the MDP then says so (<c>"feature_shape": [3, size, size]</c>), and training encodes them with the convolutional encoder by default.</param>
public sealed record CountingOptions(
    int Families = 4,
    int Layouts = 4,
    int Size = 64,
    int Target = 4,
    CountingReward Reward = CountingReward.Sparse,
    ulong Seed = 0,
    bool Features = true,
    bool ChannelMajor = false)
{
    /// <summary>The most families or layouts accepted (keeps exact MDPs and exports to a sane size).</summary>
    public const int MaxFamilies = 64;

    /// <summary>The most layouts per (family, count) accepted.</summary>
    public const int MaxLayouts = 64;

    /// <summary>What is wrong with these options, or null when they are valid.</summary>
    public string? Problem() =>
        Families is < 1 or > MaxFamilies ? $"families must be 1 to {MaxFamilies}, got {Families}"
        : Layouts is < 1 or > MaxLayouts ? $"layouts must be 1 to {MaxLayouts}, got {Layouts}"
        : Size is < CountingRenderer.MinSize or > CountingRenderer.MaxSize ? $"the image size must be {CountingRenderer.MinSize} to {CountingRenderer.MaxSize} pixels, got {Size}"
        : Target is < 0 or > CountingRenderer.MaxCount ? $"the target count must be 0 to {CountingRenderer.MaxCount}, got {Target}"
        : null;
}
