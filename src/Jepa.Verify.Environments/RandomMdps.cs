using System.Globalization;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Bisimulation;

namespace Jepa.Verify.Environments;

/// <summary>Seeded random complete deterministic MDPs: uniform successors, uniform aux values.</summary>
public static class RandomMdps
{
    /// <summary>
    /// A random table and aux keys in compact form (no ids), for benchmarks of millions of states.
    /// The same arguments always give the same result.
    /// </summary>
    /// <param name="states">Number of states, e.g. <c>1_000_000</c>.</param>
    /// <param name="actions">Number of actions, e.g. <c>4</c>.</param>
    /// <param name="auxValues">Number of distinct aux values, e.g. <c>3</c>.</param>
    /// <param name="seed">The seed.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a count is out of range.</exception>
    public static (TransitionTable Table, int[] Keys) Table(int states, int actions, int auxValues, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(states, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(actions);
        ArgumentOutOfRangeException.ThrowIfLessThan(auxValues, 1);
        var rng = new Random(seed);
        var succ = new int[(long)states * actions];
        for (var i = 0; i < succ.Length; i++)
        {
            succ[i] = rng.Next(states);
        }

        var keys = new int[states];
        for (var i = 0; i < states; i++)
        {
            keys[i] = rng.Next(auxValues);
        }

        return (TransitionTable.Create(states, actions, succ), keys);
    }

    /// <summary>
    /// A random MDP with a known coarse structure: a random quotient over <paramref name="classes"/>
    /// blocks is lifted to <paramref name="states"/> states (state <c>s</c> lies in block <c>s mod classes</c>,
    /// and each transition goes to a random state of the quotient successor's block). Its bisimulation
    /// classes are therefore unions of blocks: exactly the lifted classes of the quotient.
    /// </summary>
    /// <param name="states">Number of states, at least <paramref name="classes"/>.</param>
    /// <param name="actions">Number of actions.</param>
    /// <param name="classes">Number of blocks of the quotient, e.g. <c>1000</c>.</param>
    /// <param name="auxValues">Number of distinct aux values of the quotient.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The lifted table and keys, and the quotient's table and keys.</returns>
    public static (TransitionTable Table, int[] Keys, TransitionTable Quotient, int[] QuotientKeys) Lifted(int states, int actions, int classes, int auxValues, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(states, classes);
        var (quotient, quotientKeys) = Table(classes, actions, auxValues, seed);
        var rng = new Random(seed ^ 0x5EED);
        var succ = new int[(long)states * actions];
        for (var s = 0; s < states; s++)
        {
            for (var a = 0; a < actions; a++)
            {
                var block = quotient.Successor(s % classes, a);
                var membersOfBlock = (states - 1 - block) / classes + 1;
                succ[(long)s * actions + a] = block + (rng.Next(membersOfBlock) * classes);
            }
        }

        var keys = new int[states];
        for (var s = 0; s < states; s++)
        {
            keys[s] = quotientKeys[s % classes];
        }

        return (TransitionTable.Create(states, actions, succ), keys, quotient, quotientKeys);
    }

    /// <summary>The same random MDP as <see cref="Table"/>, with ids <c>s0…</c>, actions <c>a0…</c> and aux values <c>0…auxValues−1</c>.</summary>
    public static MdpModel Complete(int states, int actions, int auxValues, int seed)
    {
        var (table, keys) = Table(states, actions, auxValues, seed);
        var b = new MdpBuilder($"random(states={states}, actions={actions}, aux-values={auxValues}, seed={seed})");
        for (var a = 0; a < actions; a++)
        {
            b.AddAction("a" + a.ToString(CultureInfo.InvariantCulture));
        }

        for (var s = 0; s < states; s++)
        {
            var (i, _) = b.AddObservation("s" + s.ToString(CultureInfo.InvariantCulture));
            b.SetAux(i, AuxValue.Scalar(keys[s]));
        }

        for (var s = 0; s < states; s++)
        {
            for (var a = 0; a < actions; a++)
            {
                b.AddTransition(s, a, table.Successor(s, a));
            }
        }

        return b.Build();
    }
}
