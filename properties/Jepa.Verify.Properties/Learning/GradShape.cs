namespace Jepa.Verify.Properties.Learning;

/// <summary>A shape for a gradient check: rows <paramref name="M"/>, columns <paramref name="N"/>, inner size <paramref name="K"/>, and the seed of the values.</summary>
public sealed record GradShape(int M, int N, int K, int Seed);
