namespace Jepa.Verify.Smt.Solvers;

/// <summary>A solver that answers SMT-LIB 2 text. Implementations are stateless and thread-safe.</summary>
public interface ISolver
{
    /// <summary>The solver's name, e.g. <c>z3</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Runs SMT-LIB text holding one or more <c>(check-sat)</c> commands; when there is one and the
    /// answer is sat, also evaluates <paramref name="values"/> (printed terms) in the model.
    /// The timeout covers the whole text, every check in it together.
    /// </summary>
    /// <exception cref="SolverUnavailableException">When the solver is not installed.</exception>
    /// <exception cref="SolverException">When the solver rejects the text.</exception>
    SolverResult Run(string smtLib, IReadOnlyList<string> values, SolverOptions options);
}
