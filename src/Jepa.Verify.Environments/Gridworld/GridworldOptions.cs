namespace Jepa.Verify.Environments.Gridworld;

/// <summary>The parameters of the image gridworld (<see cref="GridworldEnvironment"/>).</summary>
/// <param name="Size">The grid's side in cells.</param>
/// <param name="Walls">Extra interior wall cells, placed by <paramref name="Seed"/> where they keep the start, the key, the door and the goal connected.</param>
/// <param name="Key">A key and a locked door: the wall down the middle opens only at the door, and only to an agent holding the key (picked up by stepping on it). Without it the door cell is an open gap.</param>
/// <param name="GoalReward">The aux value at the goal cell (0 elsewhere).</param>
/// <param name="Distractors">Floor tints: each episode keeps the tint it starts with, and nothing else depends on it, so observations that differ only in tint are bisimilar (a healthy collapse).</param>
/// <param name="ImageSize">The image's side in pixels (cells get ⌊px·size/side⌋ rows and columns, so sides not divisible by the size are fine).</param>
/// <param name="Seed">Places the extra walls.</param>
/// <param name="Features">Whether observations carry their pixels as features.</param>
/// <param name="ChannelMajor">Features channel-major (<c>[3, side, side]</c>, what <c>train --image 3xNxN</c> and PyTorch read) instead of interleaved RGB; the MDP then says so (<c>"feature_shape": [3, side, side]</c>), and training encodes them with the convolutional encoder by default.</param>
public sealed record GridworldOptions(
    int Size = 5,
    int Walls = 0,
    bool Key = true,
    double GoalReward = 1,
    int Distractors = 2,
    int ImageSize = 16,
    ulong Seed = 0,
    bool Features = true,
    bool ChannelMajor = false)
{
    /// <summary>The smallest grid side accepted (the middle wall needs room on both sides).</summary>
    public const int MinSize = 4;

    /// <summary>The largest grid side accepted.</summary>
    public const int MaxSize = 32;

    /// <summary>The most floor tints.</summary>
    public const int MaxDistractors = 4;

    /// <summary>The largest image side in pixels.</summary>
    public const int MaxImageSize = 256;

    /// <summary>What is wrong with these options, or null when they are valid.</summary>
    public string? Problem() =>
        Size is < MinSize or > MaxSize ? $"the grid size must be {MinSize} to {MaxSize} cells, got {Size}"
        : Walls < 0 || Walls > Size * Size / 4 ? $"walls must be 0 to {Size * Size / 4} (a quarter of the cells) for a grid of size {Size}, got {Walls}"
        : !double.IsFinite(GoalReward) || GoalReward == 0 ? $"the goal reward must be a finite number other than 0, got {GoalReward}"
        : Distractors is < 1 or > MaxDistractors ? $"distractors must be 1 to {MaxDistractors} floor tints, got {Distractors}"
        : ImageSize < Size || ImageSize > MaxImageSize ? $"the image size must be {Size} (one pixel a cell) to {MaxImageSize} pixels, got {ImageSize}"
        : null;
}
