using FsCheck;
using FsCheck.Fluent;
using Jepa.Verify.Testing.Generators;
using Xunit;

namespace Jepa.Verify.Testing.Tests;

/// <summary>Tests for <see cref="MdpGenerators"/>, used as a user's own properties would use them.</summary>
public sealed class GeneratorTests
{
    [Fact]
    public void OneLatentPerClassNeverCollapsesAndOneLatentForAllDoesWheneverThereAreTwoClasses()
    {
        Prop.ForAll(MdpGenerators.Complete(10), spec =>
        {
            var mdp = spec.ToMdp();
            var partition = MdpAssert.HasClassCount(mdp, MdpAssert.Classes(mdp).Partition!.Count);
            var perClass = Enumerable.Range(0, mdp.ObservationCount).Select(o => new[] { (float)partition.ClassOf[o], 1f }).ToArray();
            CollapseAssert.NoUnhealthyCollapse(mdp, perClass);
            var constant = Enumerable.Repeat(new[] { 1f, 1f }, mdp.ObservationCount).ToArray();
            return partition.Count == 1 || Throws(() => CollapseAssert.NoUnhealthyCollapse(mdp, constant));
        }).Check(PropertyRuns.Seeded(200));
    }

    [Fact]
    public void EveryPairIsEitherBisimilarOrHasAWitness()
    {
        Prop.ForAll(MdpGenerators.Partial(8), spec =>
        {
            var mdp = spec.ToMdp();
            for (var a = 0; a < mdp.ObservationCount; a++)
            {
                for (var b = a + 1; b < mdp.ObservationCount; b++)
                {
                    var (na, nb) = (mdp.Observations[a], mdp.Observations[b]);
                    if (Throws(() => MdpAssert.Bisimilar(mdp, na, nb)) == Throws(() => MdpAssert.Distinguished(mdp, na, nb)))
                    {
                        return false;
                    }
                }
            }

            return true;
        }).Check(PropertyRuns.Seeded(200));
    }

    [Fact]
    public void ShrinkingOnlyMakesSmallerMdps()
    {
        Prop.ForAll(MdpGenerators.Complete(8), spec =>
            MdpGenerators.Shrink(spec).All(s => s.States <= spec.States && s.Actions <= spec.Actions && s.Successors.All(t => t < s.States))).Check(PropertyRuns.Seeded(200));
    }

    private static bool Throws(Action body)
    {
        try
        {
            body();
            return false;
        }
        catch (JepaAssertionException)
        {
            return true;
        }
    }
}
