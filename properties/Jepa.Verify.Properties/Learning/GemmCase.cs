namespace Jepa.Verify.Properties.Learning;

/// <summary>One matrix product to check: <c>op(A) (M × K) · op(B) (K × N)</c>, with the transposes and the seed of the values.</summary>
public sealed record GemmCase(int M, int N, int K, bool TransposeA, bool TransposeB, int Seed);
