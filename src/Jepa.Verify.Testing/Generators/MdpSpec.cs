using System.Globalization;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Testing.Generators;

/// <summary>
/// A small MDP as plain data, easy to generate and shrink: <c>Successors[s·Actions + a]</c>
/// (-1 = missing) and an integer aux value per state.
/// </summary>
public sealed record MdpSpec(int States, int Actions, int[] Successors, int[] Aux)
{
    /// <summary>True when no transition is missing.</summary>
    public bool IsComplete => Array.IndexOf(Successors, -1) < 0;

    /// <summary>The transition table.</summary>
    public TransitionTable Table => TransitionTable.Create(States, Actions, (int[])Successors.Clone());

    /// <summary>The aux keys (the aux values are already small integers).</summary>
    public int[] Keys => (int[])Aux.Clone();

    /// <summary>The MDP with ids <c>s0…</c>, actions <c>a0…</c>.</summary>
    public MdpModel ToMdp() => ToMdp(i => "s" + i.ToString(CultureInfo.InvariantCulture), a => "a" + a.ToString(CultureInfo.InvariantCulture));

    /// <summary>The MDP with the given names.</summary>
    public MdpModel ToMdp(Func<int, string> observationName, Func<int, string> actionName)
    {
        var b = new MdpBuilder("spec");
        for (var a = 0; a < Actions; a++)
        {
            b.AddAction(actionName(a));
        }

        for (var s = 0; s < States; s++)
        {
            var (i, _) = b.AddObservation(observationName(s));
            b.SetAux(i, AuxValue.Scalar(Aux[s]));
        }

        for (var s = 0; s < States; s++)
        {
            for (var a = 0; a < Actions; a++)
            {
                var t = Successors[s * Actions + a];
                if (t >= 0)
                {
                    b.AddTransition(s, a, t);
                }
            }
        }

        return b.Build();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"MdpSpec(States={States}, Actions={Actions}, Successors=[{string.Join(",", Successors)}], Aux=[{string.Join(",", Aux)}])";
}
