using System.Collections.Immutable;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Smt.Solvers;

/// <summary>
/// A sat answer's values as terms: each term a script asked for (<see cref="SmtScript.Values"/>) with its value, read
/// once from the solver's printed <c>(get-value …)</c> answer against the term's declared sort. An enumeration's value is
/// its element constant (refused if the sort has no such element), a Boolean's <c>true</c> or <c>false</c>, a real's
/// numeral as printed, an uninterpreted sort's value the solver's abstract constant. Callers look values up by term
/// (<c>model[E(o3)]</c>); the raw text stays in <see cref="SolverResult.Values"/> for <c>solve</c> and printing.
/// </summary>
public sealed class SolverModel
{
    private readonly ImmutableDictionary<string, Term> byTerm;

    private SolverModel(ImmutableArray<(Term Term, Term Value)> entries)
    {
        Entries = entries;
        byTerm = entries.ToImmutableDictionary(e => SmtLibPrinter.Print(e.Term), e => e.Value, StringComparer.Ordinal);
    }

    /// <summary>No values: an unsat or unknown answer, or a script that asked for none.</summary>
    public static SolverModel Empty { get; } = new([]);

    /// <summary>Every term asked for that the solver gave a value, with the value, in the script's order.</summary>
    public ImmutableArray<(Term Term, Term Value)> Entries { get; }

    /// <summary>How many terms have a value.</summary>
    public int Count => Entries.Length;

    /// <summary>The value of <paramref name="term"/> (matched by its SMT-LIB form), or null when it was not asked for or not answered.</summary>
    public Term? this[Term term] => byTerm.GetValueOrDefault(SmtLibPrinter.Print(term));

    /// <summary>The index of <paramref name="term"/>'s value among its enumeration sort's elements, or null when it has no value or its sort is not an enumeration.</summary>
    public int? ElementIndex(Term term) =>
        this[term] is Term.Constant { ConstantSort.Kind: SortKind.Enumeration } c && c.ConstantSort.Elements.IndexOf(c.Name) is var i and >= 0 ? i : null;

    /// <summary>Reads the values of <paramref name="terms"/> from a solver's answer (<see cref="SolverResult.Values"/>: printed term → printed value).</summary>
    /// <param name="solver">The solver's name, for messages.</param>
    /// <param name="terms">The terms the script asked for.</param>
    /// <param name="values">What the solver printed for them.</param>
    /// <exception cref="SolverException">When a value is not one of its sort (an enumeration element the sort lacks, a non-Boolean for a Boolean, a list for a constant).</exception>
    public static SolverModel Read(string solver, IReadOnlyList<Term> terms, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(values);
        var entries = ImmutableArray.CreateBuilder<(Term, Term)>();
        foreach (var term in terms)
        {
            var printed = SmtLibPrinter.Print(term);
            if (values.TryGetValue(printed, out var text))
            {
                entries.Add((term, Value(solver, printed, term.Sort, text)));
            }
        }

        return new SolverModel(entries.ToImmutable());
    }

    private static Term Value(string solver, string printed, Sort sort, string text)
    {
        SolverException Wrong(string what) => new($"{solver} gave {SolverResponse.OneLine(text)} as the value of {printed}, {what}");
        return sort.Kind switch
        {
            SortKind.Enumeration => sort.Elements.Contains(text) ? sort.Element(text) : throw Wrong($"not an element of {sort.Name}"),
            SortKind.Bool => text switch
            {
                "true" => new Term.BoolLiteral(true),
                "false" => new Term.BoolLiteral(false),
                _ => throw Wrong("not true or false"),
            },
            SortKind.Real => new Term.RealLiteral(text),
            _ => new Term.Constant(text, sort),
        };
    }
}
