using System.Collections.Immutable;

namespace Jepa.Verify.Environments.Counting;

/// <summary>
/// Draws counting images: <c>size × size</c> RGB on black, objects of radius 3 at positions from the
/// layout seed, never touching (centres at least <see cref="MinCentreDistance"/> apart, so every
/// object is its own 8-connected blob). A pure function of the scene and the size.
/// </summary>
public static class CountingRenderer
{
    /// <summary>Every pixel of an object lies within this distance of its centre.</summary>
    public const int Radius = 3;

    /// <summary>The most objects an image holds.</summary>
    public const int MaxCount = 8;

    /// <summary>The smallest image side that always fits <see cref="MaxCount"/> objects.</summary>
    public const int MinSize = 32;

    /// <summary>The largest image side accepted.</summary>
    public const int MaxSize = 256;

    /// <summary>The least distance between two centres: two radii and a gap of 2 pixels, so objects never touch.</summary>
    public const int MinCentreDistance = (2 * Radius) + 2;

    private const ulong LayoutStream = 0x6C61796F75747321UL;

    /// <summary>
    /// The object centres of a scene: rejection sampling from a SplitMix64 stream seeded by
    /// (count, layout seed); the same arguments always give the same positions.
    /// </summary>
    /// <param name="count">0 to 8 objects.</param>
    /// <param name="layoutSeed">The layout seed.</param>
    /// <param name="size">The image side, <see cref="MinSize"/> to <see cref="MaxSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">When the count or the size is out of range.</exception>
    public static ImmutableArray<(int X, int Y)> Layout(int count, ulong layoutSeed, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        CheckSize(size);
        var rng = new SplitMix64(SplitMix64.Hash(LayoutStream, (ulong)count, layoutSeed));
        var span = size - (2 * Radius);
        var placed = new List<(int X, int Y)>(count);
        while (true)
        {
            // Sequential placement, starting over when an object finds no room (rare above MinSize).
            placed.Clear();
            for (var tries = 0; placed.Count < count && tries < 1000; tries++)
            {
                var p = (X: Radius + rng.Below(span), Y: Radius + rng.Below(span));
                if (placed.TrueForAll(q => ((p.X - q.X) * (p.X - q.X)) + ((p.Y - q.Y) * (p.Y - q.Y)) >= MinCentreDistance * MinCentreDistance))
                {
                    placed.Add(p);
                }
            }

            if (placed.Count == count)
            {
                return [.. placed];
            }
        }
    }

    /// <summary>The image as bytes, row-major, 3 channels per pixel (R, G, B).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the count or the size is out of range.</exception>
    public static byte[] Render(CountingScene scene, int size)
    {
        var pixels = new byte[size * size * 3];
        foreach (var (cx, cy) in Layout(scene.Count, scene.LayoutSeed, size))
        {
            for (var dy = -Radius; dy <= Radius; dy++)
            {
                for (var dx = -Radius; dx <= Radius; dx++)
                {
                    if (Covers(scene.Shape, dx, dy))
                    {
                        var at = (((cy + dy) * size) + cx + dx) * 3;
                        pixels[at] = scene.Colour.R;
                        pixels[at + 1] = scene.Colour.G;
                        pixels[at + 2] = scene.Colour.B;
                    }
                }
            }
        }

        return pixels;
    }

    /// <summary>
    /// The image as features, interleaved as it is stored (<c>[size, size, 3]</c>, R G B per pixel), or channel-major
    /// (<c>[3, size, size]</c>, PyTorch's layout, which the convolutional encoder and <c>train --image 3xNxN</c> read) when
    /// <paramref name="channelMajor"/>: every channel value <c>v</c> becomes <c>v / 255 − 0.5</c>, in [−0.5, 0.5].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When the count or the size is out of range.</exception>
    public static ImmutableArray<float> Features(CountingScene scene, int size, bool channelMajor = false)
    {
        var pixels = Render(scene, size);
        var plane = size * size;
        var features = new float[pixels.Length];
        for (var i = 0; i < plane; i++)
        {
            for (var ch = 0; ch < 3; ch++)
            {
                features[channelMajor ? (ch * plane) + i : (i * 3) + ch] = (pixels[(i * 3) + ch] / 255f) - 0.5f;
            }
        }

        return ImmutableArray.Create(features);
    }

    /// <summary>Whether the pixel at offset (dx, dy) from a centre belongs to the shape.</summary>
    public static bool Covers(ObjectShape shape, int dx, int dy) => shape switch
    {
        ObjectShape.Circle => (dx * dx) + (dy * dy) <= Radius * Radius,
        ObjectShape.Square => Math.Abs(dx) <= 2 && Math.Abs(dy) <= 2,
        ObjectShape.Triangle => dy is >= -3 and <= 2 && Math.Abs(dx) <= (dy + 3) / 2,
        ObjectShape.Line => dy == 0 && Math.Abs(dx) <= Radius,
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "not a shape"),
    };

    /// <summary>Throws unless <paramref name="size"/> is in [<see cref="MinSize"/>, <see cref="MaxSize"/>].</summary>
    /// <exception cref="ArgumentOutOfRangeException">When it is not.</exception>
    public static void CheckSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
    }
}
