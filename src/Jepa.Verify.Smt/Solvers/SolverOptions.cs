namespace Jepa.Verify.Smt.Solvers;

/// <summary>Limits for one query.</summary>
/// <param name="Timeout">Wall-clock limit for one query, every check in its text together (reading the text included); past it the answer is unknown (reason <c>timeout</c>). Default 60 s.</param>
/// <param name="ResourceLimit">Z3's deterministic resource limit (<c>rlimit</c>), or null for none; cvc5 uses <c>--rlimit-per</c>.</param>
public sealed record SolverOptions(TimeSpan? Timeout = null, long? ResourceLimit = null)
{
    /// <summary>The timeout in effect.</summary>
    public TimeSpan EffectiveTimeout => Timeout ?? TimeSpan.FromSeconds(60);
}
