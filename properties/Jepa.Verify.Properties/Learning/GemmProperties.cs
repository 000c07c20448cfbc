using FsCheck.Xunit;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Properties.Learning;

/// <summary>Tests for <see cref="Gemm"/>: the blocked, multi-threaded product against the triple loop.</summary>
[Properties(Replay = PropertyConfig.Replay)]
public sealed class GemmProperties
{
    private static float[] Values(SeededRandom r, int count) => [.. Enumerable.Range(0, count).Select(_ => r.NextFloat(-1f, 1f))];

    [Property(Arbitrary = new[] { typeof(LearningArbitraries) }, MaxTest = 60)]
    public bool BlockedProductEqualsTheTripleLoopForEveryTransposeAndShape(GemmCase s)
    {
        var r = new SeededRandom((ulong)s.Seed);
        var a = Values(r, s.M * s.K);
        var b = Values(r, s.K * s.N);
        var start = Values(r, s.M * s.N);
        var blocked = (float[])start.Clone();
        var naive = (float[])start.Clone();
        Gemm.Multiply(a, s.TransposeA, b, s.TransposeB, blocked, s.M, s.N, s.K, accumulate: true);
        Gemm.Naive(a, s.TransposeA, b, s.TransposeB, naive, s.M, s.N, s.K);

        // Different summation orders (and fused multiply-adds): relative error ~ k·2⁻²⁴.
        return blocked.Zip(naive).All(p => Math.Abs(p.First - p.Second) <= 1e-5f * s.K + 1e-5f);
    }

    [Fact]
    public void ResultsAreBitIdenticalWhateverTheThreadCount()
    {
        var r = new SeededRandom(3);
        const int m = 133, n = 97, k = 611;
        var a = Values(r, m * k);
        var b = Values(r, k * n);
        var saved = Gemm.MaxThreads;
        try
        {
            var results = new[] { 1, 2, 3 }.Select(threads =>
            {
                Gemm.MaxThreads = threads;
                var c = new float[m * n];
                Gemm.Multiply(a, false, b, true, c, m, n, k, accumulate: false);
                return c;
            }).ToList();
            Assert.Equal(results[0], results[1]);
            Assert.Equal(results[0], results[2]);
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void OverwriteModeIgnoresWhatWasInTheOutput()
    {
        var c = new float[] { 9, 9, 9, 9 };
        Gemm.Multiply([1, 2, 3, 4], false, [1, 0, 0, 1], false, c, 2, 2, 2, accumulate: false);
        Assert.Equal([1f, 2f, 3f, 4f], c);
    }
}
