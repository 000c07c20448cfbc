using System.Collections.Immutable;

namespace Jepa.Verify.Smt.Terms;

/// <summary>
/// A solver-neutral term. Build terms with <see cref="Formula"/> and <see cref="FunctionSymbol.Apply"/>;
/// print them with <see cref="SmtLibPrinter"/>. Every term knows its sort, and constructors check sorts.
/// </summary>
public abstract record Term(Sort Sort)
{
    /// <summary>A constant: a declared 0-ary function, an enumeration element, or a bound variable.</summary>
    public sealed record Constant(string Name, Sort ConstantSort) : Term(ConstantSort);

    /// <summary>A function application, e.g. <c>(T o a)</c>.</summary>
    public sealed record Apply(FunctionSymbol Function, ImmutableArray<Term> Args) : Term(Function.Range);

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public sealed record BoolLiteral(bool Value) : Term(Sort.Bool);

    /// <summary>Negation.</summary>
    public sealed record Not(Term Operand) : Term(Sort.Bool);

    /// <summary>Conjunction (<c>true</c> when empty).</summary>
    public sealed record And(ImmutableArray<Term> Operands) : Term(Sort.Bool);

    /// <summary>Disjunction (<c>false</c> when empty).</summary>
    public sealed record Or(ImmutableArray<Term> Operands) : Term(Sort.Bool);

    /// <summary>Implication.</summary>
    public sealed record Implies(Term Premise, Term Conclusion) : Term(Sort.Bool);

    /// <summary>Equality of two terms of one sort.</summary>
    public sealed record Equal(Term Left, Term Right) : Term(Sort.Bool);

    /// <summary>Pairwise distinctness.</summary>
    public sealed record Distinct(ImmutableArray<Term> Operands) : Term(Sort.Bool);

    /// <summary>If-then-else.</summary>
    public sealed record Ite(Term Condition, Term Then, Term Else) : Term(Then.Sort);

    /// <summary>A real numeral in SMT-LIB decimal form, e.g. <c>2.0</c> or <c>0.5</c>.</summary>
    public sealed record RealLiteral(string Text) : Term(Sort.Real);

    /// <summary>Real arithmetic: <c>+</c>, <c>-</c>, <c>*</c> or <c>/</c> over two or more operands.</summary>
    public sealed record Arithmetic(string Operator, ImmutableArray<Term> Operands) : Term(Sort.Real);

    /// <summary>A comparison of two reals: <c>&lt;=</c>, <c>&lt;</c>, <c>&gt;=</c> or <c>&gt;</c>.</summary>
    public sealed record Comparison(string Operator, Term Left, Term Right) : Term(Sort.Bool);

    /// <summary>Universal or existential quantification over bound constants.</summary>
    public sealed record Quantifier(bool Universal, ImmutableArray<Constant> Variables, Term Body) : Term(Sort.Bool);
}
