namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// Raised before allocating when a pair-based computation would exceed its stated limit.
/// The message says the size, the limit, and what to do instead.
/// </summary>
/// <param name="message">One line.</param>
public sealed class RelationTooLargeException(string message) : Exception(message);
