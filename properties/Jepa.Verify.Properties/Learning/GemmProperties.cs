using FsCheck;
using FsCheck.Fluent;
using Jepa.Verify.Learning.Tensors;
using Xunit;

namespace Jepa.Verify.Properties.Learning;

/// <summary>Tests for <see cref="Gemm"/>: the blocked, multi-threaded product against the triple loop.</summary>
public sealed class GemmProperties
{
    private static float[] Values(SeededRandom r, int count) => [.. Enumerable.Range(0, count).Select(_ => r.NextFloat(-1f, 1f))];

    [Fact]
    public void BlockedProductEqualsTheTripleLoopForEveryTransposeAndShape()
    {
        var shapes = (from m in Gen.Choose(1, 80)
                      from n in Gen.Choose(1, 80)
                      from k in Gen.Choose(1, 300)
                      from ta in Gen.Elements(false, true)
                      from tb in Gen.Elements(false, true)
                      from seed in Gen.Choose(0, 1000)
                      select (m, n, k, ta, tb, seed)).ToArbitrary();
        Prop.ForAll(shapes, s =>
        {
            var r = new SeededRandom((ulong)s.seed);
            var a = Values(r, s.m * s.k);
            var b = Values(r, s.k * s.n);
            var start = Values(r, s.m * s.n);
            var blocked = (float[])start.Clone();
            var naive = (float[])start.Clone();
            Gemm.Multiply(a, s.ta, b, s.tb, blocked, s.m, s.n, s.k, accumulate: true);
            Gemm.Naive(a, s.ta, b, s.tb, naive, s.m, s.n, s.k);
            // Different summation orders (and fused multiply-adds): relative error ~ k·2⁻²⁴.
            return blocked.Zip(naive).All(p => Math.Abs(p.First - p.Second) <= 1e-5f * s.k + 1e-5f);
        }).Check(PropertyConfig.Runs(60));
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
