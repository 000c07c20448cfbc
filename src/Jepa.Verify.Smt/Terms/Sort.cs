using System.Collections.Immutable;

namespace Jepa.Verify.Smt.Terms;

/// <summary>The kind of a <see cref="Sort"/>.</summary>
public enum SortKind
{
    /// <summary>The built-in <c>Bool</c>.</summary>
    Bool,

    /// <summary>A declared sort with no fixed elements (<c>declare-sort</c>).</summary>
    Uninterpreted,

    /// <summary>A finite sort whose elements are the listed constants (a datatype of nullary constructors).</summary>
    Enumeration,

    /// <summary>The built-in <c>Real</c> (the quantitative theorem's distances and constants).</summary>
    Real,
}

/// <summary>A sort: <c>Bool</c>, an uninterpreted sort such as <c>Obs</c>, or a finite enumeration such as <c>Lat = {l0, l1, l2}</c>.</summary>
/// <param name="Name">The SMT-LIB symbol, e.g. <c>Obs</c>.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Elements">The constants of an enumeration, in order; empty otherwise.</param>
public sealed record Sort(string Name, SortKind Kind, ImmutableArray<string> Elements)
{
    /// <summary>The built-in Boolean sort.</summary>
    public static readonly Sort Bool = new("Bool", SortKind.Bool, []);

    /// <summary>The built-in real sort.</summary>
    public static readonly Sort Real = new("Real", SortKind.Real, []);

    /// <summary>An uninterpreted sort, e.g. <c>Sort.Uninterpreted("Obs")</c>.</summary>
    public static Sort Uninterpreted(string name) => new(Symbols.Check(name), SortKind.Uninterpreted, []);

    /// <summary>A finite enumeration, e.g. <c>Sort.Enumeration("Lat", ["l0", "l1"])</c>.</summary>
    /// <exception cref="ArgumentException">When it has no elements or repeats one.</exception>
    public static Sort Enumeration(string name, IEnumerable<string> elements)
    {
        var list = elements.Select(Symbols.Check).ToImmutableArray();
        if (list.Length == 0)
        {
            throw new ArgumentException($"enumeration {name} needs at least one element", nameof(elements));
        }

        if (list.Distinct(StringComparer.Ordinal).Count() != list.Length)
        {
            throw new ArgumentException($"enumeration {name} repeats an element", nameof(elements));
        }

        return new Sort(Symbols.Check(name), SortKind.Enumeration, list);
    }

    /// <summary>The element constant <paramref name="element"/> of this enumeration as a term.</summary>
    /// <exception cref="ArgumentException">When the sort is not an enumeration or lacks the element.</exception>
    public Term Element(string element) =>
        Kind == SortKind.Enumeration && Elements.Contains(element)
            ? new Term.Constant(element, this)
            : throw new ArgumentException($"{element} is not an element of {Name}", nameof(element));

    /// <summary>The element at <paramref name="index"/> as a term.</summary>
    public Term Element(int index) => Element(Elements[index]);

    /// <inheritdoc/>
    public bool Equals(Sort? other) =>
        other is not null && Name == other.Name && Kind == other.Kind && Elements.SequenceEqual(other.Elements);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Kind, Elements.Length);
}
