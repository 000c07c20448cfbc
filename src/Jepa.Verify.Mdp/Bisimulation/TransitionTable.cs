namespace Jepa.Verify.Mdp.Bisimulation;

/// <summary>
/// The narrow input of the bisimulation algorithms: a deterministic, possibly partial transition
/// function over states <c>0 … States−1</c> and actions <c>0 … Actions−1</c>, stored as one
/// array <c>successor[s·Actions + a]</c> with <c>-1</c> for a missing transition. Immutable.
/// </summary>
public sealed class TransitionTable
{
    private readonly int[] successors;

    private TransitionTable(int states, int actions, int[] successors)
    {
        States = states;
        Actions = actions;
        this.successors = successors;
        IsComplete = Array.IndexOf(successors, -1) < 0;
    }

    /// <summary>Number of states.</summary>
    public int States { get; }

    /// <summary>Number of actions.</summary>
    public int Actions { get; }

    /// <summary>True when every (state, action) pair has a successor.</summary>
    public bool IsComplete { get; }

    /// <summary>The successor of <paramref name="state"/> under <paramref name="action"/>, or -1.</summary>
    public int Successor(int state, int action) => successors[(long)state * Actions + action];

    /// <summary>The successors, row-major by state (read-only view).</summary>
    public ReadOnlySpan<int> Successors => successors;

    /// <summary>Wraps a successor array after checking every entry is -1 or a valid state.</summary>
    /// <param name="states">Number of states, e.g. <c>1_000_000</c>.</param>
    /// <param name="actions">Number of actions, e.g. <c>4</c>.</param>
    /// <param name="successors">Length <c>states·actions</c>; taken over, not copied: do not change it afterwards.</param>
    /// <exception cref="ArgumentException">On a wrong length or an out-of-range entry.</exception>
    public static TransitionTable Create(int states, int actions, int[] successors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(states);
        ArgumentOutOfRangeException.ThrowIfNegative(actions);
        if (successors.LongLength != (long)states * actions)
        {
            throw new ArgumentException($"expected {(long)states * actions} successors, got {successors.LongLength}", nameof(successors));
        }

        foreach (var t in successors)
        {
            if (t < -1 || t >= states)
            {
                throw new ArgumentException($"successor {t} is out of range [-1, {states})", nameof(successors));
            }
        }

        return new TransitionTable(states, actions, successors);
    }

    /// <summary>The transition function of an MDP.</summary>
    /// <exception cref="InvalidOperationException">When the MDP is not deterministic (check conditions first).</exception>
    public static TransitionTable FromMdp(MdpModel mdp)
    {
        var k = mdp.ActionCount;
        var succ = new int[(long)mdp.ObservationCount * k];
        Array.Fill(succ, -1);
        foreach (var t in mdp.Transitions)
        {
            ref var slot = ref succ[(long)t.From * k + t.Action];
            if (slot >= 0 && slot != t.To)
            {
                throw new InvalidOperationException($"'{mdp.Observations[t.From]}' has two successors under '{mdp.Actions[t.Action]}'");
            }

            slot = t.To;
        }

        return new TransitionTable(mdp.ObservationCount, k, succ);
    }

    /// <summary>
    /// A complete table with one extra state, the sink (index <see cref="States"/>): every missing
    /// transition, and every action from the sink, leads to it.
    /// </summary>
    public TransitionTable WithSink()
    {
        var n = States + 1;
        var succ = new int[(long)n * Actions];
        for (var i = 0L; i < successors.LongLength; i++)
        {
            succ[i] = successors[i] < 0 ? States : successors[i];
        }

        for (var a = 0; a < Actions; a++)
        {
            succ[(long)States * Actions + a] = States;
        }

        return new TransitionTable(n, Actions, succ);
    }
}
