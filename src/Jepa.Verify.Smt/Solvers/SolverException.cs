namespace Jepa.Verify.Smt.Solvers;

/// <summary>
/// A solver rejected the input (a malformed script, an undeclared symbol) or failed; the message is
/// one line naming the solver and what it said.
/// </summary>
/// <param name="message">One line.</param>
public class SolverException(string message) : Exception(message);

/// <summary>A solver is not installed; the message names the Debian package to install.</summary>
/// <param name="message">One line.</param>
public sealed class SolverUnavailableException(string message) : SolverException(message);
