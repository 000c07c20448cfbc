namespace Jepa.Verify.Pipeline;

/// <summary>The exit codes of every command and of a <see cref="Check.CheckResult"/>; other tools and CI rely on them.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A check failed (e.g. the theorem's hypotheses do not hold).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad input or usage; the message says what to fix.</summary>
    public const int BadInput = 2;

    /// <summary>No verdict: a solver answered unknown (timeout, resource limit) or two solvers disagreed. Never a pass.</summary>
    public const int Inconclusive = 3;

    /// <summary>A bug in this tool; the message asks for a report.</summary>
    public const int InternalError = 70;
}
