using System.Collections.Immutable;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Audit;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Pipeline;

/// <summary>
/// The audit of one aux function, or of two side by side, on one MDP: each analysed, every label audited for aux alone
/// and for aux + dynamics, and, for two, the distinctions each forces that the other does not. What <c>audit</c> prints.
/// </summary>
/// <param name="Analyses">The analysis under each aux function, in order.</param>
/// <param name="Audits">The label audit under each, named as given.</param>
/// <param name="Comparison">The two compared, or null for one.</param>
public sealed record AuditRun(ImmutableArray<Analysis> Analyses, ImmutableArray<AuxAuditReport> Audits, AuxComparison? Comparison)
{
    /// <summary>Audits <paramref name="labels"/> under each of one or two aux functions (the same MDP with its aux replaced).</summary>
    /// <param name="variants">One or two MDPs that differ only in their aux, each with the name the report gives it.</param>
    /// <param name="options">The bisimulation options.</param>
    /// <param name="labels">The labels to audit (each must be in every variant).</param>
    /// <exception cref="ArgumentException">No variant, or more than two.</exception>
    /// <exception cref="MdpFormatException">A condition bisimulation needs fails.</exception>
    public static AuditRun Of(IReadOnlyList<(string Name, MdpModel Mdp)> variants, BisimulationOptions options, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(labels);
        if (variants.Count is < 1 or > 2)
        {
            throw new ArgumentException($"audit one aux function or compare two, not {variants.Count}", nameof(variants));
        }

        ImmutableArray<Analysis> analyses = [.. variants.Select(v => Analysis.Of(v.Mdp, options))];
        ImmutableArray<AuxAuditReport> audits = [.. analyses.Select((a, i) => AuxAudit.Run(a.Mdp, a.Result, a.Keys, labels) with { AuxName = variants[i].Name })];
        return new AuditRun(analyses, audits, analyses.Length == 2 ? AuxAudit.Compare(analyses[0].Result, analyses[1].Result) : null);
    }
}
