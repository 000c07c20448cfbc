using Jepa.Verify.Smt;
using Jepa.Verify.Smt.Solvers;

namespace Jepa.Verify.Proofs;

/// <summary>One proof obligation: a named SMT query, what it says in English, and the answer the theorem predicts.</summary>
/// <param name="Name">A file-name-safe name, e.g. <c>zero-loss-equal-latents-equal-aux</c>.</param>
/// <param name="Statement">One paragraph: what the query asks and why its expected answer matters.</param>
/// <param name="Expected"><c>unsat</c> for the theorem's lemmas (the negation has no model), <c>sat</c> for counterexamples.</param>
/// <param name="Script">The query; its <see cref="SmtScript.Values"/> show a model when sat.</param>
public sealed record Obligation(string Name, string Statement, SolverStatus Expected, SmtScript Script)
{
    /// <summary>The golden file's text: a header naming the obligation, its statement and its expected status, then the query.</summary>
    public string ToSmtLib() => SmtLibPrinter.Print(Script);
}
