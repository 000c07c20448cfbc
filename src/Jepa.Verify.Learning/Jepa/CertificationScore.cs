namespace Jepa.Verify.Learning.Jepa;

/// <summary>
/// How far a model is from its certificate at one evaluation of joint training: whether every non-equivalent pair is
/// certified, whether some pair has collapsed, how many pairs are certified and the sum of their bounds.
/// </summary>
/// <param name="Certified">Every non-equivalent pair is certified (training stops).</param>
/// <param name="Collapsed">Some non-equivalent pair is within the collapse tolerance.</param>
/// <param name="Pairs">Certified pairs.</param>
/// <param name="BoundSum">The sum of their certified lower bounds.</param>
public readonly record struct CertificationScore(bool Certified, bool Collapsed, long Pairs, double BoundSum)
{
    /// <summary>
    /// Whether this score is better than <paramref name="other"/>: a model without collapsed pairs beats one with them,
    /// then more certified pairs win, then bounds at least 1 % higher (the count and the bounds wander between
    /// evaluations; smaller rises are noise).
    /// </summary>
    public bool Improves(CertificationScore? other) => other is not { } o
        || Certified && !o.Certified
        || (Certified == o.Certified && (!Collapsed && o.Collapsed
            || (Collapsed == o.Collapsed && (Pairs > o.Pairs || (Pairs == o.Pairs && BoundSum > o.BoundSum * 1.01)))));
}
