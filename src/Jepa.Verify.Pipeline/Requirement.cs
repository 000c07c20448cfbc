using System.Globalization;

namespace Jepa.Verify.Pipeline;

/// <summary>
/// What a model's latents must show to pass (<c>assess --require</c>, a check config's <c>thresholds.require</c> and
/// <c>thresholds.min_certified_fraction</c>): never met by a collapsed model, and never met with less information
/// than the requirement names (latents alone cannot be certified).
/// </summary>
/// <param name="Level">Certified (every non-equivalent pair has a positive certified bound) or apart (none is within the tolerance).</param>
/// <param name="MinCertifiedFraction">
/// With either level: at least this fraction of the non-equivalent pairs must be certified (so apart with 0.9 asks for
/// 90 % of the pairs certified, and certified with 0.9 relaxes "every pair" to 90 %); null: 1 under certified, 0 under apart.
/// </param>
public sealed record Requirement(RequirementLevel Level, double? MinCertifiedFraction = null)
{
    /// <summary>The default: certified when heads were given (a certificate was asked for), apart for latents or an encoder alone.</summary>
    public static Requirement Default(bool headsGiven) => new(headsGiven ? RequirementLevel.Certified : RequirementLevel.Apart);

    /// <summary>The fraction of non-equivalent pairs that must be certified.</summary>
    public double CertifiedFraction => MinCertifiedFraction ?? (Level == RequirementLevel.Certified ? 1 : 0);

    /// <summary>Reads <c>certified</c> or <c>apart</c>; null for anything else.</summary>
    public static RequirementLevel? ParseLevel(string text) => text switch
    {
        "certified" => RequirementLevel.Certified,
        "apart" => RequirementLevel.Apart,
        _ => null,
    };

    /// <summary>As reports print it, e.g. <c>certified</c>, <c>apart</c>, <c>apart, at least 90 % of the pairs certified</c>.</summary>
    public override string ToString() =>
        Level.ToString().ToLowerInvariant() + (MinCertifiedFraction is { } f
            ? string.Create(CultureInfo.InvariantCulture, $", at least {f * 100:0.###} % of the pairs certified")
            : "");
}

/// <summary>The level a <see cref="Requirement"/> names.</summary>
public enum RequirementLevel
{
    /// <summary>Every non-equivalent pair certified (or the required fraction of them).</summary>
    Certified,

    /// <summary>No non-equivalent pair within the tolerance.</summary>
    Apart,
}
