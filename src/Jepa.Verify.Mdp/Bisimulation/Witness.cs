using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// Why two states are distinguished: a shortest action sequence after which their aux keys
/// differ. An empty sequence means the aux values differ at once.
/// </summary>
/// <param name="Actions">The action indices, in order.</param>
/// <param name="EndA">The state the first one reaches.</param>
/// <param name="EndB">The state the second one reaches.</param>
public sealed record Witness(ImmutableArray<int> Actions, int EndA, int EndB);
