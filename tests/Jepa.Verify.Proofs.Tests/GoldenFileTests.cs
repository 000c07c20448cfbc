using Jepa.Verify.Mdp.Tests;
using Jepa.Verify.Smt;
using Xunit;

namespace Jepa.Verify.Proofs.Tests;

/// <summary>Tests that the checked-in <c>proofs/smt2</c> files are exactly what <see cref="TheoremObligations"/> and <see cref="AbstractionProver"/> print.</summary>
public sealed class GoldenFileTests
{
    private static readonly string Dir = Path.Combine(TestFiles.Root, "proofs", "smt2");
    private const string Regenerate = "regenerate with: ./jepa-verify prove --general --emit-smt2 proofs/smt2 && ./jepa-verify prove examples/counting.json --emit-smt2 proofs/smt2/counting";

    public static TheoryData<string> Names => [.. TheoremObligations.All().Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryObligationMatchesItsGoldenFile(string name)
    {
        var obligation = TheoremObligations.All().Single(o => o.Name == name);
        var path = Path.Combine(Dir, name + ".smt2");
        Assert.True(File.Exists(path), $"{path} is missing; {Regenerate}");
        Assert.True(File.ReadAllText(path) == obligation.ToSmtLib(), $"{path} differs from the printed obligation; {Regenerate}");
        Assert.Contains($"; expected: {obligation.Expected.ToString().ToLowerInvariant()}\n", obligation.ToSmtLib());
    }

    [Fact]
    public void NoStaleGoldenFileRemains()
    {
        var expected = TheoremObligations.All().Select(o => o.Name + ".smt2").Order().ToArray();
        var actual = Directory.GetFiles(Dir, "*.smt2").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void TheCountingQueriesMatchTheirGoldenFiles()
    {
        var queries = AbstractionProver.Queries(Abstractions.Counting());
        var files = Directory.GetFiles(Path.Combine(Dir, "counting"), "*.smt2").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.Equal(queries.Select(q => q.Name).Order().ToArray(), files);
        foreach (var (name, _, script) in queries)
        {
            Assert.True(File.ReadAllText(Path.Combine(Dir, "counting", name + ".smt2")) == SmtLibPrinter.Print(script), $"{name}.smt2 differs; {Regenerate}");
        }
    }

    [Fact]
    public void ObligationNamesAreUniqueAndFileSafe()
    {
        var names = TheoremObligations.All().Select(o => o.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^[a-z0-9-]+$", n));
        Assert.True(names.Count >= 6 + TheoremObligations.MaxUnrolling);
    }
}
