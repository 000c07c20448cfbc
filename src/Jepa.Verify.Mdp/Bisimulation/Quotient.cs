using System.Globalization;

namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>The quotient MDP: one observation per bisimulation class.</summary>
public static class Quotient
{
    /// <summary>
    /// Builds the quotient. Class <c>c</c> becomes observation <c>c{c}</c> with the aux value of
    /// its first member, the labels <c>members</c> (count) and <c>representative</c> (first
    /// member's id), and every original label that is constant on the class. Transitions into a
    /// sink are left out.
    /// </summary>
    /// <param name="mdp">The MDP.</param>
    /// <param name="result">Its bisimulation result; must be a partition.</param>
    /// <exception cref="ArgumentException">When <paramref name="result"/> is a relation, not a partition.</exception>
    public static MdpModel Build(MdpModel mdp, BisimulationResult result)
    {
        var partition = result.Partition ?? throw new ArgumentException("the quotient needs a partition: complete the data or use a sink", nameof(result));
        var b = new MdpBuilder($"quotient of {mdp.Source}");
        foreach (var action in mdp.Actions)
        {
            b.AddAction(action);
        }

        for (var c = 0; c < partition.Count; c++)
        {
            var members = partition.Members(c);
            var rep = members[0];
            var (index, _) = b.AddObservation("c" + c.ToString(CultureInfo.InvariantCulture));
            b.SetAux(index, mdp.Aux[rep]);
            b.SetLabel(index, "members", members.Length.ToString(CultureInfo.InvariantCulture));
            b.SetLabel(index, "representative", mdp.Observations[rep]);
            foreach (var (name, column) in mdp.Labels)
            {
                var value = column[rep];
                var constant = value is not null;
                foreach (var m in members)
                {
                    constant &= column[m] == value;
                }

                if (constant)
                {
                    b.SetLabel(index, name, value!);
                }
            }
        }

        for (var c = 0; c < partition.Count; c++)
        {
            var rep = partition.Members(c)[0];
            for (var a = 0; a < mdp.ActionCount; a++)
            {
                var to = result.Table.Successor(rep, a);
                if (to >= 0 && to < result.ObservationCount)
                {
                    b.AddTransition(c, a, partition.ClassOf[to]);
                }
            }
        }

        return b.Build();
    }
}
