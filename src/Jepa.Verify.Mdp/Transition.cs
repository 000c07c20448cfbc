namespace Jepa.Verify.Mdp;

/// <summary>One observed transition <c>T(From, Action) = To</c>, by interned index.</summary>
/// <param name="From">Index of the source observation.</param>
/// <param name="Action">Index of the action.</param>
/// <param name="To">Index of the target observation.</param>
public readonly record struct Transition(int From, int Action, int To);
