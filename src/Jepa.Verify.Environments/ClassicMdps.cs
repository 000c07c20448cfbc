using System.Globalization;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Environments;

/// <summary>Small hand-made MDPs used by the examples, the docs and the tests.</summary>
public static class ClassicMdps
{
    /// <summary>
    /// The paper's counting task reduced to its count: observations <c>count0 … count8</c>, actions
    /// <c>inc</c>/<c>dec</c> clipped to [0, 8], aux = 1 iff count = <paramref name="target"/>, label <c>count</c>.
    /// With a reward aux, its bisimulation classes are the 9 counts.
    /// </summary>
    /// <param name="target">The rewarded count, 0 to 8 (default 4).</param>
    /// <exception cref="ArgumentOutOfRangeException">When the target is not in 0..8.</exception>
    public static MdpModel Counting(int target = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(target, 8);
        var b = new MdpBuilder("counting");
        var inc = b.AddAction("inc");
        var dec = b.AddAction("dec");
        for (var c = 0; c <= 8; c++)
        {
            var (i, _) = b.AddObservation(CountId(c));
            b.SetAux(i, AuxValue.Scalar(c == target ? 1 : 0));
            b.SetLabel(i, "count", c.ToString(CultureInfo.InvariantCulture));
        }

        for (var c = 0; c <= 8; c++)
        {
            b.AddTransition(c, inc, Math.Min(c + 1, 8));
            b.AddTransition(c, dec, Math.Max(c - 1, 0));
        }

        return b.Build();
    }

    /// <summary>
    /// A 3-row × 4-column gridworld: actions <c>up/down/left/right</c> (walls keep the agent in
    /// place), aux = 1 in the rightmost column, labels <c>row</c> and <c>col</c>. Rows never
    /// matter to the aux, so the 12 cells fall into 4 bisimulation classes, one per column — a
    /// healthy collapse the theorem allows.
    /// </summary>
    public static MdpModel Gridworld()
    {
        const int rows = 3, cols = 4;
        var b = new MdpBuilder("gridworld");
        string[] names = ["up", "down", "left", "right"];
        (int Dr, int Dc)[] moves = [(-1, 0), (1, 0), (0, -1), (0, 1)];
        foreach (var name in names)
        {
            b.AddAction(name);
        }

        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                var (i, _) = b.AddObservation(CellId(r, c));
                b.SetAux(i, AuxValue.Scalar(c == cols - 1 ? 1 : 0));
                b.SetLabel(i, "row", r.ToString(CultureInfo.InvariantCulture));
                b.SetLabel(i, "col", c.ToString(CultureInfo.InvariantCulture));
            }
        }

        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                for (var a = 0; a < moves.Length; a++)
                {
                    var nr = Math.Clamp(r + moves[a].Dr, 0, rows - 1);
                    var nc = Math.Clamp(c + moves[a].Dc, 0, cols - 1);
                    b.AddTransition(r * cols + c, a, nr * cols + nc);
                }
            }
        }

        return b.Build();
    }

    /// <summary>
    /// A finite dataset from the counting MDP: the transitions a seeded uniformly random walk of
    /// <paramref name="steps"/> steps observes, starting at <paramref name="start"/>; transitions it
    /// never takes are missing. All nine observations and their labels are kept.
    /// </summary>
    /// <param name="steps">Walk length, e.g. <c>24</c>.</param>
    /// <param name="seed">The seed of the walk.</param>
    /// <param name="start">The starting count (default 2).</param>
    /// <param name="target">The rewarded count (default 4).</param>
    /// <returns>The MDP and the walk as (from, action, to) index triples, repeats included.</returns>
    public static (MdpModel Mdp, IReadOnlyList<Transition> Walk) CountingWalk(int steps, int seed, int start = 2, int target = 4)
    {
        var full = Counting(target);
        var rng = new Random(seed);
        var walk = new List<Transition>();
        var s = start;
        for (var i = 0; i < steps; i++)
        {
            var a = rng.Next(full.ActionCount);
            var to = a == 0 ? Math.Min(s + 1, 8) : Math.Max(s - 1, 0);
            walk.Add(new Transition(s, a, to));
            s = to;
        }

        var b = new MdpBuilder("counting walk");
        foreach (var action in full.Actions)
        {
            b.AddAction(action);
        }

        for (var c = 0; c < full.ObservationCount; c++)
        {
            var (i, _) = b.AddObservation(full.Observations[c]);
            b.SetAux(i, full.Aux[c]);
            b.SetLabel(i, "count", full.Labels["count"][c]!);
        }

        foreach (var t in walk)
        {
            b.AddTransition(t.From, t.Action, t.To);
        }

        return (b.Build(), walk);
    }

    /// <summary>The id of a count observation, e.g. <c>count4</c>.</summary>
    public static string CountId(int count) => "count" + count.ToString(CultureInfo.InvariantCulture);

    private static string CellId(int row, int col) => string.Create(CultureInfo.InvariantCulture, $"r{row}c{col}");
}
