using Jepa.Verify.Learning.Collapse;

namespace Jepa.Verify.Pipeline.Check;

/// <summary>
/// A check config's lower bound on one collapse metric, e.g. <c>"thresholds": {"min_lidar": 5}</c>. A metric that could
/// not be computed (LiDAR without two classes, a probe too large to run) fails the bound: a threshold is never passed
/// unchecked.
/// </summary>
/// <param name="Key">The config key, e.g. <c>min_srank</c>.</param>
/// <param name="Min">The least value that passes.</param>
public sealed record CollapseMetricThreshold(string Key, double Min)
{
    /// <summary>The keys, in report order.</summary>
    public static readonly IReadOnlyList<string> Keys = ["min_rankme", "min_srank", "min_alpha_req", "min_lidar", "min_separation_ratio", "min_probe_accuracy"];

    /// <summary>The metric this bound is on, in <paramref name="report"/>; null when it could not be computed.</summary>
    public double? ValueIn(CollapseReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var m = report.Metrics;
        return Key switch
        {
            "min_rankme" => double.IsFinite(report.EffectiveRank) ? report.EffectiveRank : null,
            "min_srank" => m?.SRank,
            "min_alpha_req" => m?.AlphaReq,
            "min_lidar" => m?.Lidar,
            "min_separation_ratio" => m?.SeparationRatio,
            "min_probe_accuracy" => m?.ProbeAccuracy,
            _ => throw new InvalidOperationException($"unknown metric threshold {Key}"),
        };
    }

    /// <summary>Why <paramref name="report"/> misses this bound, or null when it meets it.</summary>
    public string? Miss(CollapseReport report)
    {
        var value = ValueIn(report);
        var name = Key["min_".Length..];
        return value is not { } v ? $"{name} could not be computed, so \"thresholds.{Key}\" {Min:G4} is not met"
            : v < Min ? $"{name} {v:G4} is below \"thresholds.{Key}\" {Min:G4}"
            : null;
    }
}
