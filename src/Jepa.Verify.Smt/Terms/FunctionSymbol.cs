using System.Collections.Immutable;

namespace Jepa.Verify.Smt.Terms;

/// <summary>An uninterpreted function (or constant, with an empty domain), e.g. <c>T : Obs × Act → Obs</c>.</summary>
/// <param name="Name">The SMT-LIB symbol.</param>
/// <param name="Domain">Argument sorts.</param>
/// <param name="Range">Result sort.</param>
public sealed record FunctionSymbol(string Name, ImmutableArray<Sort> Domain, Sort Range)
{
    /// <summary>Declares a function, e.g. <c>FunctionSymbol.Create("E", Lat, Obs)</c>.</summary>
    public static FunctionSymbol Create(string name, Sort range, params Sort[] domain) => new(Symbols.Check(name), [.. domain], range);

    /// <summary>Applies the function.</summary>
    /// <exception cref="ArgumentException">On a wrong number or sort of arguments.</exception>
    public Term Apply(params Term[] args)
    {
        if (args.Length != Domain.Length)
        {
            throw new ArgumentException($"{Name} takes {Domain.Length} arguments, got {args.Length}", nameof(args));
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].Sort != Domain[i])
            {
                throw new ArgumentException($"argument {i + 1} of {Name} must be {Domain[i].Name}, got {args[i].Sort.Name}", nameof(args));
            }
        }

        return Domain.Length == 0 ? new Term.Constant(Name, Range) : new Term.Apply(this, [.. args]);
    }

    /// <inheritdoc/>
    public bool Equals(FunctionSymbol? other) =>
        other is not null && Name == other.Name && Range == other.Range && Domain.SequenceEqual(other.Domain);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Domain.Length);
}
