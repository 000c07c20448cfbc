namespace Jepa.Verify.Proofs;

/// <summary>The outcome of a proof run.</summary>
public enum ProofVerdict
{
    /// <summary>Every query gave the predicted answer.</summary>
    Verified,

    /// <summary>Some query gave the opposite answer: the theorem, the partition or the encoding is wrong.</summary>
    Violated,

    /// <summary>No violation, but some query had no answer (timeout, resource limit).</summary>
    Unknown,
}
