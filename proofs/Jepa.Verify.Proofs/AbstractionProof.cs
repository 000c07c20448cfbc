using System.Collections.Immutable;
using System.Globalization;
using Jepa.Verify.Smt;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Proofs;

/// <summary>
/// What the solvers established about one MDP's finite abstraction: whether any zero-loss model can
/// merge two observations of different classes, and the least number of latents a zero-loss model needs.
/// </summary>
/// <param name="Classes">Bisimulation classes of the encoded states.</param>
/// <param name="Queries">Every query run, in order.</param>
/// <param name="CollapsePossible">False when proved impossible, true when a model was found, null when unknown.</param>
/// <param name="MinLatents">The least latent count, when established; otherwise null.</param>
/// <param name="LowerBound">How the lower bound of <paramref name="MinLatents"/> was established.</param>
/// <param name="Encoder">The witness model at <paramref name="MinLatents"/>: the latent index of each state; empty when none.</param>
/// <param name="EncoderMatchesPartition">True when the witness gives two states one latent exactly when they share a class.</param>
/// <param name="Counterexample">When collapse is possible: the two merged states.</param>
/// <param name="DecoderWords">Words in the class decoder (internal nodes of the tree).</param>
/// <param name="LongestDecoderWord">Length of its longest word.</param>
public sealed record AbstractionProof(
    int Classes,
    ImmutableArray<QueryOutcome> Queries,
    bool? CollapsePossible,
    int? MinLatents,
    string LowerBound,
    ImmutableArray<int> Encoder,
    bool EncoderMatchesPartition,
    (int A, int B)? Counterexample,
    int DecoderWords,
    int LongestDecoderWord)
{
    /// <summary>Verified, violated or unknown.</summary>
    public ProofVerdict Verdict =>
        Queries.Any(q => !q.AsExpected && !q.Inconclusive) || (MinLatents is not null && !EncoderMatchesPartition) ? ProofVerdict.Violated
        : Queries.Any(q => q.Inconclusive) ? ProofVerdict.Unknown
        : ProofVerdict.Verified;
}

/// <summary>Runs the queries of a <see cref="FiniteAbstraction"/> and turns the answers into an <see cref="AbstractionProof"/>.</summary>
public static class AbstractionProver
{
    /// <summary>Up to this many classes, the lower bound of min_latents is also checked directly (unsat at C − 1).</summary>
    public const int DirectLowerBoundLimit = 12;

    /// <summary>Every query <see cref="Prove"/> runs, by name, for <c>--emit-smt2</c>.</summary>
    /// <param name="abstraction">The encoding.</param>
    /// <param name="latents">An extra latent count to check, or null.</param>
    public static IReadOnlyList<(string Name, SolverStatus Expected, SmtScript Script)> Queries(FiniteAbstraction abstraction, int? latents = null)
    {
        var c = abstraction.Partition.Count;
        var list = new List<(string, SolverStatus, SmtScript)>
        {
            ("decoder-lemma", SolverStatus.Unsat, abstraction.DecoderLemmaQuery(perObservation: true)),
            ("collapse", SolverStatus.Unsat, abstraction.CollapseQuery()),
            (LatentsName(c), SolverStatus.Sat, abstraction.LatentsQuery(c, pinClasses: true)),
        };
        if (c > 1 && c <= DirectLowerBoundLimit)
        {
            list.Add((LatentsName(c - 1), SolverStatus.Unsat, abstraction.LatentsQuery(c - 1, pinClasses: false)));
        }

        if (latents is { } k && k != c && !(k == c - 1 && c <= DirectLowerBoundLimit))
        {
            list.Add((LatentsName(k), k >= c ? SolverStatus.Sat : SolverStatus.Unsat, abstraction.LatentsQuery(k, pinClasses: k >= c)));
        }

        return list;
    }

    /// <summary>Runs every query on the panel and reads the results.</summary>
    /// <exception cref="SolverException">When a solver is missing, rejects a query, or two solvers disagree.</exception>
    public static AbstractionProof Prove(FiniteAbstraction abstraction, SolverPanel panel, SolverOptions options, int? latents = null)
    {
        var c = abstraction.Partition.Count;
        var outcomes = Queries(abstraction, latents)
            .Select(q => new QueryOutcome(q.Name, q.Expected, panel.Check(q.Script, options)))
            .ToImmutableArray();
        var lemma = outcomes[0];
        var collapse = outcomes[1];
        var upper = outcomes[2];
        bool? collapsePossible = collapse.Result.Status switch
        {
            SolverStatus.Unsat when lemma.Result.Status == SolverStatus.Unsat => false,
            SolverStatus.Sat => true,
            _ => null,
        };

        var encoder = abstraction.EncoderIn(upper.Result.Model, c);
        var matches = encoder.Length == abstraction.Partition.Size && Kernel(encoder, abstraction);
        var direct = outcomes.FirstOrDefault(o => o.Name == LatentsName(c - 1));
        var lowerBound = direct is null
            ? "the decoder lemma: g(E(o)) = cls(o) maps the latents onto all classes"
            : "the decoder lemma, and directly: no zero-loss model has " + (c - 1).ToString(CultureInfo.InvariantCulture) + " latents";
        var directHolds = direct is null || direct.Result.Status == SolverStatus.Unsat;
        int? minLatents = lemma.Result.Status == SolverStatus.Unsat && upper.Result.Status == SolverStatus.Sat && directHolds ? c : null;
        (int, int)? counterexample = collapse.Result.Status == SolverStatus.Sat ? abstraction.PairIn(collapse.Result.Model) : null;
        var words = abstraction.Decoder.Nodes().Where(n => !n.IsLeaf).ToList();
        return new AbstractionProof(c, outcomes, collapsePossible, minLatents, lowerBound, encoder, matches, counterexample, words.Count, words.Count == 0 ? 0 : words.Max(n => n.Word.Length));
    }

    /// <summary>The name of a latents query, e.g. <c>latents-9</c>.</summary>
    public static string LatentsName(int k) => "latents-" + k.ToString(CultureInfo.InvariantCulture);

    private static bool Kernel(ImmutableArray<int> encoder, FiniteAbstraction abstraction)
    {
        // Same latent exactly when same class: the latent-to-class map is a bijection onto the classes.
        var classOfLatent = new Dictionary<int, int>();
        var latentOfClass = new Dictionary<int, int>();
        for (var s = 0; s < encoder.Length; s++)
        {
            var c = abstraction.Partition.ClassOf[s];
            var latent = encoder[s];
            if (classOfLatent.TryGetValue(latent, out var seenClass) && seenClass != c)
            {
                return false;
            }

            if (latentOfClass.TryGetValue(c, out var seenLatent) && seenLatent != latent)
            {
                return false;
            }

            classOfLatent[latent] = c;
            latentOfClass[c] = latent;
        }

        return true;
    }
}
