namespace Jepa.Verify.Mdp;

/// <summary>
/// Where each item of one kind (each observation, transition or aux value) was read: one position per
/// item in one file's <see cref="SourceMap"/>, turned into a line and column only when asked for.
/// </summary>
/// <remarks>A position of −1 means unknown; an item beyond the recorded ones is unknown too.</remarks>
public sealed class SourcePositions
{
    private readonly int[] positions;

    /// <summary>Positions in <paramref name="map"/>, one per item (−1 where unknown).</summary>
    /// <param name="map">The file the positions point into; null when there is none (built in code).</param>
    /// <param name="positions">
    /// Byte offsets, or lines for a <see cref="SourceMap.ForLines"/> map; 32 bits suffice because inputs are at
    /// most 1 GiB (<see cref="Formats.TextFile.MaxBytes"/>). Not copied.
    /// </param>
    public SourcePositions(SourceMap? map, int[] positions)
    {
        Map = map;
        this.positions = positions;
    }

    /// <summary>No positions: every item is located at the source alone.</summary>
    public static SourcePositions None { get; } = new(null, []);

    /// <summary>The file the positions point into, or null.</summary>
    public SourceMap? Map { get; }

    /// <summary>The location of item <paramref name="index"/>, or <paramref name="fallback"/> alone when unknown.</summary>
    /// <param name="index">The item's index, e.g. an observation index.</param>
    /// <param name="fallback">The source named when the position is unknown, e.g. the MDP's file or environment.</param>
    public SourceLocation At(int index, string fallback) =>
        Map is not null && index >= 0 && index < positions.Length && positions[index] >= 0
            ? Map.Locate(positions[index])
            : new SourceLocation(fallback, 0);
}
