namespace Jepa.Verify.Environments.Counting;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood): the counting environment's only source of randomness, so
/// layouts and families are pure functions of their seeds on every platform and .NET version.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong state = seed;

    /// <summary>A well-mixed hash of several values (used for layout seeds and the fixed successor hash).</summary>
    public static ulong Hash(params ReadOnlySpan<ulong> values)
    {
        var h = new SplitMix64(0x9E3779B97F4A7C15UL);
        ulong result = h.Next();
        foreach (var v in values)
        {
            h = new SplitMix64(result ^ v);
            result = h.Next();
        }

        return result;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2^-32 for the small n used here).</summary>
    public int Below(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);
}
