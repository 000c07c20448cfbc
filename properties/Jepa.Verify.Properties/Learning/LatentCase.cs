namespace Jepa.Verify.Properties.Learning;

/// <summary>
/// Latents to analyse: <paramref name="Rows"/> × <paramref name="Dim"/> values drawn from <paramref name="Seed"/> on a coarse grid
/// (so exact duplicates and pairs within the tolerance occur), <paramref name="Classes"/> classes, and whether one value is NaN.
/// </summary>
public sealed record LatentCase(int Rows, int Dim, int Classes, bool WithNaN, int Seed);
