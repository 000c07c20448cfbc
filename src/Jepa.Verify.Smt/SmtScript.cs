using System.Collections.Immutable;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Smt;

/// <summary>
/// One satisfiability query: declarations, definitions and assertions, printed by
/// <see cref="SmtLibPrinter"/> and ending in <c>(check-sat)</c>. <see cref="Values"/> are the terms
/// whose values a solver reports when the answer is <c>sat</c>. Build with <see cref="SmtScriptBuilder"/>.
/// </summary>
/// <param name="Comments">Header comment lines (no leading <c>;</c>).</param>
/// <param name="Sorts">Declared sorts, in order.</param>
/// <param name="Functions">Declared functions and constants, in order.</param>
/// <param name="Definitions">Defined functions (<c>define-fun</c>), in order.</param>
/// <param name="Assertions">Assertions, each with an optional comment line.</param>
/// <param name="Values">Terms to evaluate in a model (single-check scripts only).</param>
/// <param name="Cases">
/// Empty for one <c>(check-sat)</c>. Otherwise the script is incremental: each case adds its
/// assertions inside <c>(push 1)</c> … <c>(pop 1)</c> and is checked on its own, sharing the rest.
/// </param>
public sealed record SmtScript(
    ImmutableArray<string> Comments,
    ImmutableArray<Sort> Sorts,
    ImmutableArray<FunctionSymbol> Functions,
    ImmutableArray<SmtScript.Definition> Definitions,
    ImmutableArray<SmtScript.Assertion> Assertions,
    ImmutableArray<Term> Values,
    ImmutableArray<SmtScript.Case> Cases)
{
    /// <summary>Number of <c>(check-sat)</c> commands the printed script holds.</summary>
    public int CheckCount => Cases.IsEmpty ? 1 : Cases.Length;

    /// <summary>One case of an incremental script.</summary>
    /// <param name="Comment">A line printed above it, or null.</param>
    /// <param name="Assertions">Its own assertions.</param>
    public sealed record Case(string? Comment, ImmutableArray<Term> Assertions);

    /// <summary>A <c>define-fun</c>: a symbol, its parameters and its body.</summary>
    /// <param name="Symbol">The defined function (its domain matches the parameters).</param>
    /// <param name="Parameters">The parameters.</param>
    /// <param name="Body">The body.</param>
    public sealed record Definition(FunctionSymbol Symbol, ImmutableArray<Term.Constant> Parameters, Term Body);

    /// <summary>An assertion with an optional comment printed above it.</summary>
    /// <param name="Formula">The Bool term.</param>
    /// <param name="Comment">One line, or null.</param>
    public sealed record Assertion(Term Formula, string? Comment);
}
