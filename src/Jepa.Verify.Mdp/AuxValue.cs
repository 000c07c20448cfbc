using System.Collections.Immutable;
using System.Globalization;

namespace Jepa.Verify.Mdp;

/// <summary>
/// The auxiliary value <c>p(o)</c> of one observation: a number (length 1) or a fixed-length
/// vector. The default value means "missing".
/// </summary>
public readonly struct AuxValue : IEquatable<AuxValue>
{
    private readonly ImmutableArray<double> components;

    /// <summary>Creates a value from its components, e.g. <c>[1.0]</c> or <c>[0.5, -2]</c>.</summary>
    public AuxValue(ImmutableArray<double> components) => this.components = components;

    /// <summary>A scalar value, e.g. a reward of <c>1.0</c>.</summary>
    public static AuxValue Scalar(double value) => new([value]);

    /// <summary>True when the observation has no auxiliary value.</summary>
    public bool IsMissing => components.IsDefault;

    /// <summary>The components (empty when missing).</summary>
    public ImmutableArray<double> Components => components.IsDefault ? [] : components;

    /// <summary>The vector length (0 when missing).</summary>
    public int Length => components.IsDefault ? 0 : components.Length;

    /// <summary>True when every component is finite (no NaN or infinity) and the value is present.</summary>
    public bool IsFinite
    {
        get
        {
            if (components.IsDefault)
            {
                return false;
            }

            foreach (var c in components)
            {
                if (!double.IsFinite(c))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Exact equality of components (<c>0.0</c> equals <c>-0.0</c>; NaN equals NaN).</summary>
    public bool Equals(AuxValue other)
    {
        if (components.IsDefault || other.components.IsDefault)
        {
            return components.IsDefault && other.components.IsDefault;
        }

        if (components.Length != other.components.Length)
        {
            return false;
        }

        for (var i = 0; i < components.Length; i++)
        {
            if (!components[i].Equals(other.components[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is AuxValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var c in Components)
        {
            hash.Add(c == 0.0 ? 0.0 : c);
        }

        return hash.ToHashCode();
    }

    /// <summary>Equality operator.</summary>
    public static bool operator ==(AuxValue left, AuxValue right) => left.Equals(right);

    /// <summary>Inequality operator.</summary>
    public static bool operator !=(AuxValue left, AuxValue right) => !left.Equals(right);

    /// <summary>Formats as <c>1</c>, <c>[0.5, -2]</c>, or <c>missing</c>; round-trippable numbers.</summary>
    public override string ToString()
    {
        if (components.IsDefault)
        {
            return "missing";
        }

        if (components.Length == 1)
        {
            return Format(components[0]);
        }

        return "[" + string.Join(", ", components.Select(Format)) + "]";
    }

    /// <summary>Formats one number the way every report and file writer of this project does.</summary>
    /// <remarks>Negative zero prints as <c>0</c>: it equals zero everywhere in this project.</remarks>
    public static string Format(double value) => (value == 0 ? 0.0 : value).ToString("R", CultureInfo.InvariantCulture);
}
