namespace Jepa.Verify.Pipeline.Check;

/// <summary>One check of a <c>check</c> run: one JUnit test case.</summary>
/// <param name="Name">e.g. <c>conditions</c>, <c>prove</c>, <c>collapse</c>.</param>
/// <param name="Seed">The training seed for per-seed checks, else null.</param>
/// <param name="Status">The outcome.</param>
/// <param name="Message">One line: what was measured against what was expected.</param>
/// <param name="Details">More lines for failures (the closest collapsed pairs, solver reasons); may be empty.</param>
/// <param name="Seconds">Wall time of the stage behind the check (reported in JUnit only, never in JSON).</param>
public sealed record CheckCase(string Name, ulong? Seed, CheckStatus Status, string Message, string Details = "", double Seconds = 0)
{
    /// <summary>The name with its seed, e.g. <c>collapse[seed=2]</c>.</summary>
    public string FullName => Seed is { } s ? $"{Name}[seed={s}]" : Name;

    /// <summary>The status as reports print it: <c>pass</c>, <c>fail</c>, <c>inconclusive</c> or <c>skipped</c>.</summary>
    public string StatusText => Status.ToString().ToLowerInvariant();
}
