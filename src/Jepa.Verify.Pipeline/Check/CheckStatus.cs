namespace Jepa.Verify.Pipeline.Check;

/// <summary>The outcome of one check case; the names are those of the reports.</summary>
public enum CheckStatus
{
    /// <summary>The check held.</summary>
    Pass,

    /// <summary>A violation or a regression (exit 1; a JUnit failure).</summary>
    Fail,

    /// <summary>No verdict: a solver answered unknown or timed out (exit 3 unless something failed; a JUnit error). Never a pass.</summary>
    Inconclusive,

    /// <summary>Not run, because an earlier stage failed or does not apply (a JUnit skip).</summary>
    Skipped,
}
