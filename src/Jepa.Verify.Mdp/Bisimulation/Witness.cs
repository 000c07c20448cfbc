using System.Collections.Immutable;

namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// Why two states are distinguished: a shortest action sequence after which their aux keys
/// differ. An empty sequence means the aux values differ at once.
/// </summary>
/// <param name="Actions">The action indices, in order.</param>
/// <param name="EndA">The state the first one reaches.</param>
/// <param name="EndB">The state the second one reaches.</param>
public sealed record Witness(ImmutableArray<int> Actions, int EndA, int EndB)
{
    /// <summary>
    /// The witness in words, e.g. <c>after [inc, inc] they reach count4 (aux 1) and count5 (aux 0)</c>, or
    /// <c>aux differs at once: 1 vs 0</c>. A state past the observations is the sink: <c>(sink)</c>, aux <c>sink</c>.
    /// </summary>
    /// <param name="mdp">The MDP the witness was found in.</param>
    public string Describe(MdpModel mdp)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        string Name(int s) => s < mdp.ObservationCount ? mdp.Shown(s) : "(sink)";
        string Aux(int s) => s < mdp.ObservationCount ? mdp.Aux[s].ToString() : "sink";
        return Actions.Length == 0
            ? $"aux differs at once: {Aux(EndA)} vs {Aux(EndB)}"
            : $"after [{string.Join(", ", Actions.Select(a => mdp.Actions[a]))}] they reach {Name(EndA)} (aux {Aux(EndA)}) and {Name(EndB)} (aux {Aux(EndB)})";
    }
}
