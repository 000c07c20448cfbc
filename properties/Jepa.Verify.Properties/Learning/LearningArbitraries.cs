using FsCheck;
using FsCheck.Fluent;
using Jepa.Verify.Testing.Generators;

namespace Jepa.Verify.Properties.Learning;

/// <summary>The Arbitraries of the learning properties, registered by type (<c>Arbitrary = new[] { typeof(LearningArbitraries) }</c>).</summary>
public static class LearningArbitraries
{
    /// <summary>Shapes for gradient checks: rows, columns and an inner size in 1…5, and a seed for the values.</summary>
    public static Arbitrary<GradShape> GradShape() =>
        (from m in Gen.Choose(1, 5)
         from n in Gen.Choose(1, 5)
         from k in Gen.Choose(1, 5)
         from seed in Gen.Choose(0, 1 << 20)
         select new GradShape(m, n, k, seed)).ToArbitrary();

    /// <summary>Matrix products: <c>m × k</c> by <c>k × n</c> (m, n ≤ 80, k ≤ 300, so every blocking edge case occurs), either operand transposed, and a seed.</summary>
    public static Arbitrary<GemmCase> GemmCase() =>
        (from m in Gen.Choose(1, 80)
         from n in Gen.Choose(1, 80)
         from k in Gen.Choose(1, 300)
         from ta in Gen.Elements(false, true)
         from tb in Gen.Elements(false, true)
         from seed in Gen.Choose(0, 1000)
         select new GemmCase(m, n, k, ta, tb, seed)).ToArbitrary();

    /// <summary>Latent matrices of up to 300 rows (more than two tiles of the pair scan) in 1…4 dimensions, 1…6 classes, sometimes with a NaN.</summary>
    public static Arbitrary<LatentCase> LatentCase() =>
        (from rows in Gen.Choose(0, 300)
         from dim in Gen.Choose(1, 4)
         from classes in Gen.Choose(1, 6)
         from nan in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
         from seed in Gen.Choose(0, 1 << 20)
         select new LatentCase(rows, dim, classes, nan, seed)).ToArbitrary();

    /// <summary>Random complete MDPs (as <see cref="MdpArbitraries"/>) with a model kind and a seed.</summary>
    public static Arbitrary<CertificateCase> CertificateCase() =>
        (from spec in MdpArbitraries.MdpSpec().Generator
         from kind in Gen.Elements(CertificateModelKind.Random, CertificateModelKind.Trained, CertificateModelKind.Quotient, CertificateModelKind.LayerNorm, CertificateModelKind.TwoHot)
         from seed in Gen.Choose(0, 1000)
         select new CertificateCase(spec, kind, seed)).ToArbitrary();
}
