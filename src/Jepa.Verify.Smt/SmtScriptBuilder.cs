using System.Collections.Immutable;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Smt;

/// <summary>Collects declarations and assertions in order and checks that every symbol used is declared.</summary>
public sealed class SmtScriptBuilder
{
    private readonly List<string> comments = [];
    private readonly List<Sort> sorts = [];
    private readonly List<FunctionSymbol> functions = [];
    private readonly List<SmtScript.Definition> definitions = [];
    private readonly List<SmtScript.Assertion> assertions = [];
    private readonly List<Term> values = [];
    private readonly List<SmtScript.Case> cases = [];

    /// <summary>Adds a header comment line.</summary>
    public SmtScriptBuilder Comment(string line)
    {
        comments.Add(line);
        return this;
    }

    /// <summary>Declares a sort (uninterpreted or enumeration).</summary>
    public Sort Declare(Sort sort)
    {
        if (sort.Kind == SortKind.Bool)
        {
            throw new ArgumentException("Bool is built in", nameof(sort));
        }

        sorts.Add(sort);
        return sort;
    }

    /// <summary>Declares a function or constant.</summary>
    public FunctionSymbol Declare(FunctionSymbol function)
    {
        functions.Add(function);
        return function;
    }

    /// <summary>Declares a constant of <paramref name="sort"/> and returns it as a term.</summary>
    public Term Constant(string name, Sort sort) => Declare(FunctionSymbol.Create(name, sort)).Apply();

    /// <summary>Defines a function by a body over its parameters.</summary>
    public FunctionSymbol Define(string name, IReadOnlyList<Term.Constant> parameters, Term body)
    {
        var symbol = new FunctionSymbol(Symbols.Check(name), [.. parameters.Select(p => p.Sort)], body.Sort);
        definitions.Add(new SmtScript.Definition(symbol, [.. parameters], body));
        return symbol;
    }

    /// <summary>Asserts a Bool term, with an optional comment line above it.</summary>
    public SmtScriptBuilder Assert(Term formula, string? comment = null)
    {
        if (formula.Sort != Sort.Bool)
        {
            throw new ArgumentException("an assertion must be a Bool term", nameof(formula));
        }

        assertions.Add(new SmtScript.Assertion(formula, comment));
        return this;
    }

    /// <summary>Asks for the value of a term in a model.</summary>
    public SmtScriptBuilder GetValue(Term term)
    {
        values.Add(term);
        return this;
    }

    /// <summary>Adds a case: the script becomes incremental, one check per case (see <see cref="SmtScript.Cases"/>).</summary>
    public SmtScriptBuilder Case(string? comment, params Term[] assertions)
    {
        if (assertions.Any(a => a.Sort != Sort.Bool))
        {
            throw new ArgumentException("an assertion must be a Bool term", nameof(assertions));
        }

        cases.Add(new SmtScript.Case(comment, [.. assertions]));
        return this;
    }

    /// <summary>The script.</summary>
    /// <exception cref="InvalidOperationException">When a term uses an undeclared sort, function or constant.</exception>
    public SmtScript Build()
    {
        if (cases.Count > 0 && values.Count > 0)
        {
            throw new InvalidOperationException("values can be asked for in single-check scripts only");
        }

        var script = new SmtScript([.. comments], [.. sorts], [.. functions], [.. definitions], [.. assertions], [.. values], [.. cases]);
        ScopeCheck.Run(script);
        return script;
    }
}
