using System.Collections.Immutable;
using System.Globalization;
using Jepa.Verify.Learning.Collapse;
using Jepa.Verify.Learning.Jepa;

namespace Jepa.Verify.Pipeline.Experiments;

/// <summary>One of the paper's claims about the counting experiment, judged on the runs of <see cref="CountingExperiment"/>.</summary>
/// <param name="Claim">The claim, as the paper makes it.</param>
/// <param name="Test">What must hold on every seed for it to hold here.</param>
/// <param name="Holds">Whether it holds; null when the modes it needs were not run (or the decoder probe was off).</param>
/// <param name="Measured">The numbers it was judged on (mean ± sample standard deviation over seeds).</param>
public sealed record CountingClaim(string Claim, string Test, bool? Holds, string Measured)
{
    /// <summary><c>holds</c>, <c>does not hold</c> or <c>not measured</c>.</summary>
    public string HoldsText => Holds switch
    {
        true => "holds",
        false => "does not hold",
        null => "not measured",
    };
}

/// <summary>
/// The paper's five claims about the counting experiment (arXiv 2509.12249, as docs/counting.md quotes them), each with a
/// test fixed here before any run, on the rows of the encoder the experiment trains (the MLP comparison row is not a claim's).
/// </summary>
public static class CountingClaims
{
    /// <summary>Judges every claim on <paramref name="result"/>.</summary>
    public static ImmutableArray<CountingClaim> Of(CountingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        List<ModeOutcome> Runs(TrainingMode mode) => [.. result.Outcomes.Where(o => o.Row == TrainingModes.Name(mode))];
        var (joint, dynOnly, auxOnly, random) = (Runs(TrainingMode.Joint), Runs(TrainingMode.DynOnly), Runs(TrainingMode.AuxOnly), Runs(TrainingMode.RandomAux));
        return
        [
            Judge("joint: 9 clusters, one per count", "9 count groups and the verdict `certified` on every seed", joint,
                runs => runs.All(o => o.CountGroups == 9 && o.Run.Separation.Verdict == SeparationVerdict.Certified && !Diverged(o)),
                runs => Text($"{Stat(runs, o => o.CountGroups, "0.#")} count groups; {Verdicts(runs, o => o.Verdict)}; certified pairs {Stat(runs, o => o.CertifiedShare, "0.000")} of all")),
            Judge("transition-only: collapse", "1 count group and the verdict `collapsed` on every seed", dynOnly,
                runs => runs.All(o => o.CountGroups == 1 && o.Run.Separation.Verdict == SeparationVerdict.Collapsed && !Diverged(o)),
                runs => Text($"{Stat(runs, o => o.CountGroups, "0.#")} count groups; {Verdicts(runs, o => o.Verdict)}; {Stat(runs, o => o.Run.Report.Clusters, "0.#")} clusters")),
            Judge("reward-only: coarse groups {0–2}, {3–5}, {6–8}", "more than 1 and fewer than 9 count groups on every seed", auxOnly,
                runs => runs.All(o => o.CountGroups is > 1 and < 9 && !Diverged(o)),
                runs => Text($"{Stat(runs, o => o.CountGroups, "0.#")} count groups; {Stat(runs, o => o.Run.Report.Clusters, "0.#")} clusters; count accuracy {Stat(runs, o => o.CountAccuracy?.Accuracy, "0.00")}")),
            joint.Count == 0
                ? new("random aux: separated, but not organised by count", RandomTest, null, "needs the joint and random-aux modes")
                : Judge("random aux: separated, but not organised by count", RandomTest, random,
                    runs => runs.All(o => o.ApartWhereImagesDiffer && !Diverged(o)) && Mean(runs, o => o.CountAccuracy?.Accuracy) < Mean(joint, o => o.CountAccuracy?.Accuracy),
                    runs => Text($"pairs with different images apart on {runs.Count(o => o.ApartWhereImagesDiffer)}/{runs.Count} seeds ({Stat(runs, o => o.Run.Report.Violations, "0.#")} pairs collapsed, of which {Stat(runs, o => o.IdenticalImagePairs, "0.#")} have identical images); count accuracy {Stat(runs, o => o.CountAccuracy?.Accuracy, "0.00")} against joint's {Stat(joint, o => o.CountAccuracy?.Accuracy, "0.00")}")),
            joint.Count == 0 || joint.Any(o => o.Decoder is null)
                ? new("the decoder recovers shape, colour and position from random-aux latents better than from joint ones", DecoderTest, null, "needs the joint and random-aux modes and the decoder probe")
                : Judge("the decoder recovers shape, colour and position from random-aux latents better than from joint ones", DecoderTest, random,
                    runs => runs.All(o => o.Decoder is not null)
                        && Mean(runs, o => o.Decoder?.Mse) < Mean(joint, o => o.Decoder?.Mse)
                        && Probes.All(p => Mean(runs, p.Value) > Mean(joint, p.Value)),
                    runs => Text($"decoder MSE {Stat(runs, o => o.Decoder?.Mse, "0.00000")} against joint's {Stat(joint, o => o.Decoder?.Mse, "0.00000")} (mean image {Stat(joint, o => o.Decoder?.MeanImageMse, "0.00000")}); ")
                        + string.Join("; ", Probes.Select(p => Text($"{p.Name} probe {Stat(runs, p.Value, "0.00")} against {Stat(joint, p.Value, "0.00")}")))),
        ];
    }

    private const string RandomTest = "on every seed, every non-equivalent pair with different images more than the tolerance apart, and a lower mean count accuracy than joint's";

    private const string DecoderTest = "random-aux's mean decoder MSE below joint's, and its mean shape, colour and position probe accuracies above joint's";

    private static readonly (string Name, Func<ModeOutcome, double?> Value)[] Probes =
        [("shape", o => o.Shape?.Accuracy), ("colour", o => o.Colour?.Accuracy), ("position", o => o.Position?.Accuracy)];

    private static CountingClaim Judge(string claim, string test, List<ModeOutcome> runs, Func<List<ModeOutcome>, bool> holds, Func<List<ModeOutcome>, string> measured) =>
        runs.Count == 0 ? new(claim, test, null, "its mode was not run") : new(claim, test, holds(runs), measured(runs));

    private static bool Diverged(ModeOutcome o) => o.Run.Result.Status == TrainingStatus.Diverged;

    /// <summary>Each verdict with how many of the runs reached it, in order of first appearance, e.g. <c>apart, not certified 2/3, certified 1/3</c>.</summary>
    public static string Verdicts<T>(IReadOnlyList<T> runs, Func<T, string> verdict)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return string.Join(", ", runs.GroupBy(verdict).Select(g => Text($"{g.Key} {g.Count()}/{runs.Count}")));
    }

    private static double Mean(List<ModeOutcome> runs, Func<ModeOutcome, double?> value) =>
        runs.Select(value).Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Average();

    /// <summary>The mean ± sample standard deviation of the finite values over runs, the mean alone for one, <c>n/a</c> for none.</summary>
    public static string Stat<T>(IReadOnlyList<T> runs, Func<T, double?> value, string format)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(value);
        double[] v = [.. runs.Select(value).Where(x => x is { } d && double.IsFinite(d)).Select(x => x!.Value)];
        if (v.Length == 0)
        {
            return "n/a";
        }

        var mean = v.Average();
        if (v.Length == 1)
        {
            return mean.ToString(format, CultureInfo.InvariantCulture);
        }

        var sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return mean.ToString(format, CultureInfo.InvariantCulture) + " ± " + sd.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
