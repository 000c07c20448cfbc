namespace Jepa.Verify.Smt.Solvers;

/// <summary>A solver's answer to <c>(check-sat)</c>.</summary>
public enum SolverStatus
{
    /// <summary>Satisfiable: a model exists.</summary>
    Sat,

    /// <summary>Unsatisfiable: no model exists.</summary>
    Unsat,

    /// <summary>No answer (timeout, resource limit, incompleteness); <see cref="SolverResult.Reason"/> says why.</summary>
    Unknown,
}
