using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Mdp.Conditions;

namespace Jepa.Verify.Testing;

/// <summary>
/// Assertions about an MDP you build in a test: the theorem's conditions, its bisimulation classes,
/// and single pairs. Failures throw <see cref="JepaAssertionException"/> with a witness: the shortest
/// action sequence after which two observations' aux values differ.
/// </summary>
/// <example>
/// <code>
/// var mdp = MyEnvironment.ToMdp();                 // or MdpLoader.Load("env.json")
/// MdpAssert.HypothesesHold(mdp);
/// MdpAssert.HasClasses(mdp, [["s0", "s2"], ["s1"], ["s3"]]);
/// MdpAssert.Distinguished(mdp, "s0", "s1");        // returns the witness
/// </code>
/// </example>
public static class MdpAssert
{
    /// <summary>Asserts that the theorem's hypotheses hold: unique ids, determinism, completeness and aux values defined and finite.</summary>
    /// <exception cref="JepaAssertionException">Naming each failed condition and its first offending items.</exception>
    public static ConditionReport HypothesesHold(MdpModel mdp)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        var report = ConditionChecker.Check(mdp);
        if (!report.HypothesesHold)
        {
            var sb = new StringBuilder($"the theorem's hypotheses fail for {mdp.Source}:");
            foreach (var r in report.Results.Where(r => r.IsHypothesis && !r.Holds))
            {
                sb.Append(CultureInfo.InvariantCulture, $" {r.Name}: {r.Summary} (first: {string.Join("; ", r.First.Take(3).Select(i => i.Text))}).");
            }

            throw new JepaAssertionException(sb.ToString());
        }

        return report;
    }

    /// <summary>
    /// Computes the bisimulation (or, with missing transitions and <see cref="MissingTransitions.Relation"/>,
    /// the finite-data relation) after checking that it is defined.
    /// </summary>
    /// <exception cref="JepaAssertionException">When the MDP is not deterministic, has duplicate ids or missing or non-finite aux values.</exception>
    public static BisimulationResult Classes(MdpModel mdp, BisimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        try
        {
            ConditionChecker.Check(mdp).ThrowIfUnusable();
        }
        catch (MdpFormatException ex)
        {
            throw new JepaAssertionException($"bisimulation is not defined for {mdp.Source}: {ex.Message}");
        }

        return Bisimilarity.Compute(mdp, options);
    }

    /// <summary>Asserts the number of bisimulation classes.</summary>
    /// <exception cref="JepaAssertionException">With the classes found.</exception>
    public static Partition HasClassCount(MdpModel mdp, int expected, BisimulationOptions? options = null)
    {
        var partition = RequirePartition(mdp, options);
        if (partition.Count != expected)
        {
            throw new JepaAssertionException($"expected {expected} bisimulation classes in {mdp.Source}, found {partition.Count}: {Describe(mdp, partition)}");
        }

        return partition;
    }

    /// <summary>Asserts the exact bisimulation classes, given as groups of observation ids (order within and between groups does not matter).</summary>
    /// <exception cref="ArgumentException">When a group names an unknown id, or an id twice, or misses one.</exception>
    /// <exception cref="JepaAssertionException">Naming a pair placed differently, with the witness when the MDP separates it.</exception>
    public static Partition HasClasses(MdpModel mdp, IEnumerable<IEnumerable<string>> expected, BisimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var result = Classes(mdp, options);
        var partition = result.Partition ?? throw MissingPartition(mdp);
        var label = new int[mdp.ObservationCount];
        Array.Fill(label, -1);
        var group = 0;
        foreach (var members in expected)
        {
            foreach (var id in members)
            {
                var i = Index(mdp, id);
                if (label[i] >= 0)
                {
                    throw new ArgumentException($"'{id}' appears in two expected classes", nameof(expected));
                }

                label[i] = group;
            }

            group++;
        }

        var missing = Array.IndexOf(label, -1);
        if (missing >= 0)
        {
            throw new ArgumentException($"'{mdp.Observations[missing]}' is in no expected class; list every observation", nameof(expected));
        }

        for (var a = 0; a < mdp.ObservationCount; a++)
        {
            for (var b = a + 1; b < mdp.ObservationCount; b++)
            {
                var together = partition.SameClass(a, b);
                if (together != (label[a] == label[b]))
                {
                    var (na, nb) = (mdp.Observations[a], mdp.Observations[b]);
                    var why = together
                        ? $"{na} and {nb} are bisimilar (no action sequence makes their aux values differ), but the expected classes separate them"
                        : $"{na} and {nb} are not bisimilar: {Explain(mdp, result, a, b)}; the expected classes put them together";
                    throw new JepaAssertionException($"the bisimulation classes of {mdp.Source} differ from the expected ones: {why}. Found: {Describe(mdp, partition)}");
                }
            }
        }

        return partition;
    }

    /// <summary>Asserts that two observations are bisimilar (a model may, but need not, give them one latent).</summary>
    /// <exception cref="JepaAssertionException">With the witness that separates them.</exception>
    public static void Bisimilar(MdpModel mdp, string a, string b, BisimulationOptions? options = null)
    {
        var result = Classes(mdp, options);
        var (ia, ib) = (Index(mdp, a), Index(mdp, b));
        if (result.AreDistinguished(ia, ib))
        {
            throw new JepaAssertionException($"{a} and {b} are not bisimilar in {mdp.Source}: {Explain(mdp, result, ia, ib)}");
        }
    }

    /// <summary>Asserts that two observations are not bisimilar (a zero-loss model must give them distinct latents) and returns the shortest witness.</summary>
    /// <exception cref="JepaAssertionException">When they are bisimilar.</exception>
    public static Witness Distinguished(MdpModel mdp, string a, string b, BisimulationOptions? options = null)
    {
        var result = Classes(mdp, options);
        var (ia, ib) = (Index(mdp, a), Index(mdp, b));
        return result.Witness(ia, ib)
            ?? throw new JepaAssertionException($"{a} and {b} are bisimilar in {mdp.Source}: no action sequence makes their aux values differ, so nothing forces distinct latents");
    }

    /// <summary>The classes as groups of ids, e.g. <c>{s0, s2} {s1} {s3}</c> (at most 20 groups shown).</summary>
    public static string Describe(MdpModel mdp, Partition partition)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(partition);
        var groups = Enumerable.Range(0, partition.Count).Take(20)
            .Select(c => "{" + string.Join(", ", partition.Members(c).ToArray().Where(s => s < mdp.ObservationCount).Select(s => mdp.Observations[s])) + "}");
        return string.Join(" ", groups) + (partition.Count > 20 ? $" … ({partition.Count} classes)" : "");
    }

    internal static Partition RequirePartition(MdpModel mdp, BisimulationOptions? options) =>
        Classes(mdp, options).Partition ?? throw MissingPartition(mdp);

    internal static int Index(MdpModel mdp, string id)
    {
        var i = mdp.IndexOfObservation(id);
        return i >= 0 ? i : throw new ArgumentException($"'{id}' is not an observation of {mdp.Source}", nameof(id));
    }

    private static string Explain(MdpModel mdp, BisimulationResult result, int a, int b) =>
        result.Witness(a, b)?.Describe(mdp) ?? "they are distinguished";

    private static JepaAssertionException MissingPartition(MdpModel mdp) =>
        new($"{mdp.Source} has missing transitions, so only the finite-data relation is defined, not classes; pass new BisimulationOptions(Missing: MissingTransitions.Sink) or assert pairs with Distinguished/Bisimilar");
}
