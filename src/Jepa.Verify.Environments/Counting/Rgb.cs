using System.Globalization;

namespace Jepa.Verify.Environments.Counting;

/// <summary>An object colour; the counting environment draws each channel uniformly from [30, 226).</summary>
/// <param name="R">Red, 0–255.</param>
/// <param name="G">Green, 0–255.</param>
/// <param name="B">Blue, 0–255.</param>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>The colour as <c>#rrggbb</c>.</summary>
    public string Hex => string.Create(CultureInfo.InvariantCulture, $"#{R:x2}{G:x2}{B:x2}");

    /// <summary>The brightest channel: 0 red, 1 green, 2 blue (ties go to the first).</summary>
    public int DominantChannel => R >= G && R >= B ? 0 : G >= B ? 1 : 2;
}
