using System.Collections.Immutable;

namespace Jepa.Verify.Smt.Terms;

/// <summary>Constructors for <see cref="Term"/>s that check sorts, e.g. <c>Formula.Forall([o, a], Formula.Eq(lhs, rhs))</c>.</summary>
public static class Formula
{
    /// <summary><c>true</c>.</summary>
    public static readonly Term True = new Term.BoolLiteral(true);

    /// <summary><c>false</c>.</summary>
    public static readonly Term False = new Term.BoolLiteral(false);

    /// <summary>A variable (or declared constant) named <paramref name="name"/> of <paramref name="sort"/>.</summary>
    public static Term.Constant Var(string name, Sort sort) => new(Symbols.Check(name), sort);

    /// <summary>Equality.</summary>
    /// <exception cref="ArgumentException">When the sorts differ.</exception>
    public static Term Eq(Term left, Term right) =>
        left.Sort == right.Sort ? new Term.Equal(left, right) : throw new ArgumentException($"cannot compare {left.Sort.Name} with {right.Sort.Name}");

    /// <summary>Disequality.</summary>
    public static Term Neq(Term left, Term right) => Not(Eq(left, right));

    /// <summary>Negation.</summary>
    public static Term Not(Term t) => new Term.Not(Bool(t));

    /// <summary>Conjunction; one operand is returned as is.</summary>
    public static Term And(params IEnumerable<Term> terms)
    {
        var list = terms.Select(Bool).ToList();
        return list.Count == 1 ? list[0] : new Term.And([.. list]);
    }

    /// <summary>Disjunction; one operand is returned as is.</summary>
    public static Term Or(params IEnumerable<Term> terms)
    {
        var list = terms.Select(Bool).ToList();
        return list.Count == 1 ? list[0] : new Term.Or([.. list]);
    }

    /// <summary>Implication.</summary>
    public static Term Implies(Term premise, Term conclusion) => new Term.Implies(Bool(premise), Bool(conclusion));

    /// <summary>Pairwise distinctness of terms of one sort.</summary>
    public static Term Distinct(params IEnumerable<Term> terms)
    {
        var list = terms.ToList();
        if (list.Select(t => t.Sort).Distinct().Count() > 1)
        {
            throw new ArgumentException("distinct needs terms of one sort");
        }

        return new Term.Distinct([.. list]);
    }

    /// <summary>If-then-else.</summary>
    public static Term Ite(Term condition, Term then, Term otherwise) =>
        then.Sort == otherwise.Sort ? new Term.Ite(Bool(condition), then, otherwise) : throw new ArgumentException("ite branches need one sort");

    /// <summary>Universal quantification.</summary>
    public static Term Forall(IEnumerable<Term.Constant> variables, Term body) => new Term.Quantifier(true, [.. variables], Bool(body));

    /// <summary>Existential quantification.</summary>
    public static Term Exists(IEnumerable<Term.Constant> variables, Term body) => new Term.Quantifier(false, [.. variables], Bool(body));

    /// <summary>A real numeral (finite, non-negative values print as SMT-LIB decimals; negative ones as <c>(- x)</c>).</summary>
    public static Term Real(decimal value) => value >= 0
        ? new Term.RealLiteral(value.ToString("0.0###########", System.Globalization.CultureInfo.InvariantCulture))
        : new Term.Arithmetic("-", [Real(-value)]);

    /// <summary>The sum of two or more reals.</summary>
    public static Term Plus(params IEnumerable<Term> terms) => Arithmetic("+", terms);

    /// <summary>The first real minus the others.</summary>
    public static Term Minus(params IEnumerable<Term> terms) => Arithmetic("-", terms);

    /// <summary>The product of two or more reals.</summary>
    public static Term Times(params IEnumerable<Term> terms) => Arithmetic("*", terms);

    /// <summary>The first real divided by the others.</summary>
    public static Term Divide(params IEnumerable<Term> terms) => Arithmetic("/", terms);

    /// <summary><paramref name="left"/> ≤ <paramref name="right"/>.</summary>
    public static Term Le(Term left, Term right) => new Term.Comparison("<=", RealTerm(left), RealTerm(right));

    /// <summary><paramref name="left"/> &lt; <paramref name="right"/>.</summary>
    public static Term Lt(Term left, Term right) => new Term.Comparison("<", RealTerm(left), RealTerm(right));

    /// <summary><paramref name="left"/> &gt; <paramref name="right"/>.</summary>
    public static Term Gt(Term left, Term right) => new Term.Comparison(">", RealTerm(left), RealTerm(right));

    private static Term Arithmetic(string op, IEnumerable<Term> terms)
    {
        var list = terms.Select(RealTerm).ToImmutableArray();
        return list.Length >= 2 || (op == "-" && list.Length == 1) ? new Term.Arithmetic(op, list) : throw new ArgumentException($"'{op}' needs two or more operands");
    }

    private static Term RealTerm(Term t) => t.Sort == Sort.Real ? t : throw new ArgumentException($"expected a Real term, got {t.Sort.Name}");

    private static Term Bool(Term t) => t.Sort == Sort.Bool ? t : throw new ArgumentException($"expected a Bool term, got {t.Sort.Name}");
}
