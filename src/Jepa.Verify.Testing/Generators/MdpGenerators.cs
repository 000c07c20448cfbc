using FsCheck;
using FsCheck.Fluent;

namespace Jepa.Verify.Testing.Generators;

/// <summary>FsCheck generators of small deterministic MDPs, each with a shrinker.</summary>
public static class MdpGenerators
{
    /// <summary>Complete deterministic MDPs: 1–<paramref name="maxStates"/> states, 1–3 actions, 1–3 aux values.</summary>
    public static Arbitrary<MdpSpec> Complete(int maxStates = 12) =>
        Arb.From(Spec(maxStates, missingPercent: 0), Shrink);

    /// <summary>Deterministic MDPs where each transition is missing with probability 1/4 (datasets).</summary>
    public static Arbitrary<MdpSpec> Partial(int maxStates = 12) =>
        Arb.From(Spec(maxStates, missingPercent: 25), Shrink);

    /// <summary>
    /// Complete MDPs whose state count grows with FsCheck's size (1 to the size, at least 1): what
    /// <see cref="MdpArbitraries"/> registers, so a property's <c>EndSize</c> is the most states it sees.
    /// </summary>
    public static Arbitrary<MdpSpec> CompleteSized() => Arb.From(Gen.Sized(size => Spec(Math.Max(1, size), missingPercent: 0)), Shrink);

    /// <summary>MDPs with a quarter of the transitions missing, sized like <see cref="CompleteSized"/>: what <see cref="DatasetArbitraries"/> registers.</summary>
    public static Arbitrary<MdpSpec> PartialSized() => Arb.From(Gen.Sized(size => Spec(Math.Max(1, size), missingPercent: 25)), Shrink);

    /// <summary>The generator behind the arbitraries.</summary>
    public static Gen<MdpSpec> Spec(int maxStates, int missingPercent) =>
        from n in Gen.Choose(1, maxStates)
        from k in Gen.Choose(1, 3)
        from v in Gen.Choose(1, 3)
        from succ in Gen.ArrayOf(Successor(n, missingPercent), n * k)
        from aux in Gen.ArrayOf(Gen.Choose(0, v - 1), n)
        select new MdpSpec(n, k, succ, aux);

    /// <summary>
    /// Smaller variants: drop the last state (its incoming transitions go to state 0, or stay
    /// missing), drop the last action, send a transition to state 0, zero an aux value.
    /// </summary>
    public static IEnumerable<MdpSpec> Shrink(MdpSpec m)
    {
        if (m.States > 1)
        {
            var n = m.States - 1;
            var succ = new int[n * m.Actions];
            for (var s = 0; s < n; s++)
            {
                for (var a = 0; a < m.Actions; a++)
                {
                    var t = m.Successors[s * m.Actions + a];
                    succ[s * m.Actions + a] = t == n ? 0 : t;
                }
            }

            yield return new MdpSpec(n, m.Actions, succ, m.Aux[..n]);
        }

        if (m.Actions > 1)
        {
            var k = m.Actions - 1;
            var succ = new int[m.States * k];
            for (var s = 0; s < m.States; s++)
            {
                Array.Copy(m.Successors, s * m.Actions, succ, s * k, k);
            }

            yield return new MdpSpec(m.States, k, succ, m.Aux);
        }

        for (var i = 0; i < m.Successors.Length; i++)
        {
            if (m.Successors[i] > 0)
            {
                var succ = (int[])m.Successors.Clone();
                succ[i] = 0;
                yield return m with { Successors = succ };
            }
        }

        for (var i = 0; i < m.Aux.Length; i++)
        {
            if (m.Aux[i] != 0)
            {
                var aux = (int[])m.Aux.Clone();
                aux[i] = 0;
                yield return m with { Aux = aux };
            }
        }
    }

    private static Gen<int> Successor(int n, int missingPercent) =>
        missingPercent == 0
            ? Gen.Choose(0, n - 1)
            : Gen.Frequency((missingPercent, Gen.Constant(-1)), (100 - missingPercent, Gen.Choose(0, n - 1)));
}
