using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Mdp.Audit;

/// <summary>
/// Audits which ground-truth distinctions an auxiliary function preserves: for each label,
/// whether the classes keep it or abstract it away, for aux alone and for aux plus dynamics;
/// and, for two aux functions, which distinctions each forces.
/// </summary>
public static class AuxAudit
{
    /// <summary>Audits one aux function on an MDP.</summary>
    /// <param name="mdp">The MDP (its aux values are the function audited).</param>
    /// <param name="result">Its bisimulation result.</param>
    /// <param name="auxKeys">Its aux keys (the aux-only grouping).</param>
    /// <param name="labels">Label names to audit (each must be in <see cref="MdpModel.Labels"/>).</param>
    /// <exception cref="ArgumentException">When a label is unknown.</exception>
    public static AuxAuditReport Run(MdpModel mdp, BisimulationResult result, int[] auxKeys, IReadOnlyList<string> labels)
    {
        var auxOnly = Partition.FromLabels(auxKeys);
        var bisim = result.Partition is { } p
            ? Audit("aux + dynamics", mdp, labels, p)
            : Audit("aux + dynamics", mdp, labels, result.Relation!);
        return new AuxAuditReport(mdp.Source, Audit("aux only", mdp, labels, auxOnly), bisim);
    }

    /// <summary>Compares the distinctions forced by two results over the same observations.</summary>
    /// <exception cref="ArgumentException">When the results cover different numbers of observations.</exception>
    public static AuxComparison Compare(BisimulationResult a, BisimulationResult b)
    {
        if (a.ObservationCount != b.ObservationCount)
        {
            throw new ArgumentException("both results must cover the same observations", nameof(b));
        }

        if (a.Partition is { } pa && b.Partition is { } pb)
        {
            var together = Partition.FromLabels(Pack(pa, pb)).PairsTogether;
            return new AuxComparison(pb.PairsTogether - together, pa.PairsTogether - together, pa.PairsApart - pb.PairsTogether + together, Example(pb, pa), Example(pa, pb));
        }

        long onlyA = 0, onlyB = 0, both = 0;
        (int, int)? exA = null, exB = null;
        for (var j = 1; j < a.ObservationCount; j++)
        {
            for (var i = 0; i < j; i++)
            {
                var da = a.AreDistinguished(i, j);
                var db = b.AreDistinguished(i, j);
                if (da && db)
                {
                    both++;
                }
                else if (da)
                {
                    onlyA++;
                    exA ??= (i, j);
                }
                else if (db)
                {
                    onlyB++;
                    exB ??= (i, j);
                }
            }
        }

        return new AuxComparison(onlyA, onlyB, both, exA, exB);
    }

    /// <summary>Audits the labels against a partition.</summary>
    public static GroupingAudit Audit(string name, MdpModel mdp, IReadOnlyList<string> labels, Partition partition)
    {
        var audits = labels.Select(l => AuditLabel(l, Column(mdp, l), partition)).ToList();
        return new GroupingAudit(name, partition.Count, partition.PairsApart, [.. audits]);
    }

    /// <summary>Audits the labels against a distinguishability relation (pair measures only).</summary>
    public static GroupingAudit Audit(string name, MdpModel mdp, IReadOnlyList<string> labels, DistinguishabilityRelation relation)
    {
        var audits = labels.Select(l => AuditLabel(l, Column(mdp, l), relation)).ToList();
        return new GroupingAudit(name, null, relation.DistinguishedCount, [.. audits]);
    }

    /// <summary>One label against a partition.</summary>
    /// <param name="label">The label's name.</param>
    /// <param name="column">Its value per observation (null where absent; those observations are skipped).</param>
    /// <param name="partition">The grouping.</param>
    public static LabelAudit AuditLabel(string label, IReadOnlyList<string?> column, Partition partition)
    {
        var valueIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new Dictionary<(int Class, int Value), long>();
        var classSize = new Dictionary<int, long>();
        var valueSize = new Dictionary<int, long>();
        long labelled = 0;
        for (var i = 0; i < column.Count; i++)
        {
            if (column[i] is not { } v)
            {
                continue;
            }

            if (!valueIds.TryGetValue(v, out var vid))
            {
                vid = valueIds.Count;
                valueIds[v] = vid;
            }

            var c = partition.ClassOf[i];
            counts[(c, vid)] = counts.GetValueOrDefault((c, vid)) + 1;
            classSize[c] = classSize.GetValueOrDefault(c) + 1;
            valueSize[vid] = valueSize.GetValueOrDefault(vid) + 1;
            labelled++;
        }

        var values = valueIds.Count;
        var byClass = counts.GroupBy(kv => kv.Key.Class).ToList();
        var purity = labelled == 0 ? 1.0 : byClass.Sum(g => g.Max(kv => kv.Value)) / (double)labelled;
        var span = byClass.Count == 0 || values == 0 ? 1.0 : byClass.Average(g => g.Count() / (double)values);
        var mixed = byClass.Count(g => g.Count() > 1);

        // Pairs with different values, and those among them inside one class.
        var differing = Choose2(labelled) - valueSize.Values.Sum(Choose2);
        var differingTogether = classSize.Values.Sum(Choose2) - counts.Values.Sum(Choose2);
        var separated = differing == 0 ? 1.0 : (differing - differingTogether) / (double)differing;
        var verdict = values <= 1 ? "constant"
            : mixed == 0 ? "kept"
            : byClass.All(g => g.Count() == values) ? "ignored"
            : "partial";
        return new LabelAudit(label, values, verdict, purity, span, separated, mixed);
    }

    /// <summary>One label against a relation: the fraction of differently-labelled pairs it separates.</summary>
    public static LabelAudit AuditLabel(string label, IReadOnlyList<string?> column, DistinguishabilityRelation relation)
    {
        long differing = 0, separated = 0;
        for (var j = 1; j < column.Count; j++)
        {
            for (var i = 0; i < j; i++)
            {
                if (column[i] is { } vi && column[j] is { } vj && vi != vj)
                {
                    differing++;
                    if (relation.IsDistinguished(i, j))
                    {
                        separated++;
                    }
                }
            }
        }

        var values = column.Where(v => v is not null).Distinct(StringComparer.Ordinal).Count();
        var fraction = differing == 0 ? 1.0 : separated / (double)differing;
        var verdict = values <= 1 ? "constant" : separated == differing ? "kept" : separated == 0 ? "ignored" : "partial";
        return new LabelAudit(label, values, verdict, null, null, fraction, null);
    }

    private static IReadOnlyList<string?> Column(MdpModel mdp, string label) =>
        mdp.Labels.TryGetValue(label, out var column)
            ? column
            : throw new ArgumentException($"unknown label '{label}'", nameof(label));

    private static long Choose2(long n) => n * (n - 1) / 2;

    private static int[] Pack(Partition a, Partition b)
    {
        // The meet of the two partitions: one label per (class in a, class in b) cell.
        var cells = new Dictionary<long, int>();
        var packed = new int[a.Size];
        for (var i = 0; i < packed.Length; i++)
        {
            var cell = (long)a.ClassOf[i] * b.Count + b.ClassOf[i];
            if (!cells.TryGetValue(cell, out var id))
            {
                id = cells.Count;
                cells[cell] = id;
            }

            packed[i] = id;
        }

        return packed;
    }

    /// <summary>A pair together in <paramref name="together"/> but apart in <paramref name="apart"/>.</summary>
    private static (int, int)? Example(Partition together, Partition apart)
    {
        for (var c = 0; c < together.Count; c++)
        {
            var m = together.Members(c);
            for (var i = 1; i < m.Length; i++)
            {
                if (!apart.SameClass(m[0], m[i]))
                {
                    return (m[0], m[i]);
                }
            }
        }

        return null;
    }
}
