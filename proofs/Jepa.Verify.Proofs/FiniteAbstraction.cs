using System.Collections.Immutable;
using System.Globalization;
using Jepa.Verify.Mdp.Bisimulation;
using Jepa.Verify.Smt;
using Jepa.Verify.Smt.Solvers;
using Jepa.Verify.Smt.Terms;

namespace Jepa.Verify.Proofs;

/// <summary>
/// A given finite deterministic MDP encoded exactly for an SMT solver: observations, actions and
/// aux values are finite enumerations; <c>E</c>, <c>That</c> and <c>Phat</c> are uninterpreted and
/// constrained by the zero-loss equations on every transition, <c>That(E(o), a) = E(o')</c> for
/// <c>T(o, a) = o'</c>, and on every observation, <c>Phat(E(o)) = p(o)</c>. <c>T</c> and <c>p</c>
/// enter only through these ground equations, so the queries are quantifier-free.
/// </summary>
public sealed class FiniteAbstraction
{
    private readonly TransitionTable table;
    private readonly int[] keys;
    private readonly IReadOnlyList<string> stateNames;
    private readonly IReadOnlyList<string> actionNames;
    private readonly IReadOnlyList<string> auxNames;
    private ClassDecoder? decoder;

    /// <summary>Prepares the encoding.</summary>
    /// <param name="table">A complete deterministic table (a sink, if any, is an ordinary state here).</param>
    /// <param name="keys">The aux key of each state.</param>
    /// <param name="partition">Its bisimulation classes over every state of the table.</param>
    /// <param name="stateNames">A readable name per state (observation ids); used in symbols and comments.</param>
    /// <param name="actionNames">A readable name per action.</param>
    /// <param name="auxNames">A readable aux value per key, for comments.</param>
    /// <exception cref="ArgumentException">When the table is partial or the sizes disagree.</exception>
    public FiniteAbstraction(TransitionTable table, int[] keys, Partition partition, IReadOnlyList<string> stateNames, IReadOnlyList<string> actionNames, IReadOnlyList<string> auxNames)
    {
        if (!table.IsComplete)
        {
            throw new ArgumentException("the finite abstraction needs a complete transition table", nameof(table));
        }

        if (keys.Length != table.States || partition.Size != table.States || stateNames.Count != table.States || actionNames.Count != table.Actions)
        {
            throw new ArgumentException("table, keys, partition and names must describe the same states and actions");
        }

        this.table = table;
        this.keys = keys;
        Partition = partition;
        this.stateNames = stateNames;
        this.actionNames = actionNames;
        this.auxNames = auxNames;
    }

    /// <summary>
    /// The abstraction of a bisimulation result: its table (with the sink, if any), aux keys and full
    /// partition; each aux key is named by the text of the first state that has it.
    /// </summary>
    /// <param name="result">A result with a partition (complete data, or a sink).</param>
    /// <param name="stateNames">A name per state of <see cref="BisimulationResult.Table"/>, the sink included.</param>
    /// <param name="actionNames">A name per action.</param>
    /// <param name="auxText">The aux value of a state as text, e.g. <c>1</c> or <c>sink</c>.</param>
    /// <exception cref="ArgumentException">When the result is a relation, not a partition.</exception>
    public static FiniteAbstraction FromResult(BisimulationResult result, IReadOnlyList<string> stateNames, IReadOnlyList<string> actionNames, Func<int, string> auxText)
    {
        var partition = result.FullPartition ?? throw new ArgumentException("the finite abstraction needs a partition: complete the data or use a sink", nameof(result));
        var states = result.Table.States;
        var keys = Enumerable.Range(0, states).Select(result.KeyOf).ToArray();
        var auxNames = new string[states == 0 ? 0 : keys.Max() + 1];
        for (var s = states - 1; s >= 0; s--)
        {
            auxNames[keys[s]] = auxText(s);
        }

        return new FiniteAbstraction(result.Table, keys, partition, stateNames, actionNames, auxNames);
    }

    /// <summary>The classes the queries are checked against.</summary>
    public Partition Partition { get; }

    /// <summary>The class decoder (characterizing set) the collapse proof checks.</summary>
    public ClassDecoder Decoder => decoder ??= ClassDecoder.Build(table, keys, Partition);

    /// <summary>The first state of each class, in class order.</summary>
    public IReadOnlyList<int> Representatives => [.. Enumerable.Range(0, Partition.Count).Select(c => Partition.Members(c)[0])];

    /// <summary>
    /// The decoder lemma, the MDP-specific half of <c>collapse_possible</c>: with both losses zero, the
    /// class decoder <c>g</c> (a decision tree on <c>Phat(That*(l, w))</c> for the words of a characterizing
    /// set, see <see cref="ClassDecoder"/>) recovers every observation's class from its latent:
    /// <c>g(E(o)) = cls(o)</c>. The negation, one disjunct per observation, is asserted; expected unsat.
    /// Each disjunct is refuted by congruence alone, so the query grows linearly with the MDP.
    /// </summary>
    public SmtScript DecoderLemmaQuery(int? latents = null, bool perObservation = false)
    {
        var (b, e) = Declarations("decoder lemma: with both losses zero, the decoder g recovers every observation's class from its latent.", latents);
        var (classOf, g) = DeclareClasses(b, e);
        Term Wrong(int s) => Formula.Neq(g.Apply(e.E.Apply(e.Obs.Element(s))), classOf.Apply(e.Obs.Element(s)));
        if (perObservation)
        {
            for (var s = 0; s < table.States; s++)
            {
                b.Case(s == 0 ? "negated, one observation per case: its latent decodes to another class" : null, Wrong(s));
            }
        }
        else
        {
            b.Assert(Formula.Or(Enumerable.Range(0, table.States).Select(Wrong)), "negated: some observation's latent decodes to another class");
        }

        return b.Build();
    }

    /// <summary>
    /// <c>collapse_possible</c>: can a zero-loss model give two observations of different classes one
    /// latent? Asserts the decoder lemma (proved by <see cref="DecoderLemmaQuery"/>) for two
    /// observations <c>x</c>, <c>y</c> of different classes with <c>E(x) = E(y)</c>; expected unsat, since
    /// <c>g(E(x)) = g(E(y))</c>. Asking this without the lemma makes the solver search all n² pairs,
    /// which does not scale (docs/benchmarks.md). <c>Lat</c> is unbounded (an uninterpreted sort)
    /// unless <paramref name="latents"/> bounds it.
    /// </summary>
    public SmtScript CollapseQuery(int? latents = null)
    {
        var (b, e) = Declarations("collapse_possible: can a zero-loss model merge two observations of different bisimulation classes?", latents);
        var (classOf, g) = DeclareClasses(b, e);
        var x = b.Constant(PairX, e.Obs);
        var y = b.Constant(PairY, e.Obs);
        b.Assert(Formula.Eq(g.Apply(e.E.Apply(x)), classOf.Apply(x)), "the decoder lemma (proved by its own query for every observation), for x");
        b.Assert(Formula.Eq(g.Apply(e.E.Apply(y)), classOf.Apply(y)), "and for y");
        b.Assert(Formula.Eq(e.E.Apply(x), e.E.Apply(y)), "two observations share a latent");
        b.Assert(Formula.Neq(classOf.Apply(x), classOf.Apply(y)), "but lie in different classes");
        b.GetValue(x).GetValue(y);
        return b.Build();
    }

    /// <summary>Declares the class sort, each observation's class, and the decoder <c>g : Lat → Cls</c>.</summary>
    private (FunctionSymbol ClassOf, FunctionSymbol Decoder) DeclareClasses(SmtScriptBuilder b, Encoding e)
    {
        var cls = b.Declare(Sort.Enumeration("Cls", Enumerable.Range(0, Partition.Count).Select(c => "c" + c.ToString(CultureInfo.InvariantCulture))));
        var classOf = b.Declare(FunctionSymbol.Create("cls", cls, e.Obs));
        for (var s = 0; s < table.States; s++)
        {
            b.Assert(Formula.Eq(classOf.Apply(e.Obs.Element(s)), cls.Element(Partition.ClassOf[s])), s == 0 ? "the bisimulation class of every observation" : null);
        }

        var l = Formula.Var("l", e.Lat);
        Term Decode(ClassDecoder.Node node)
        {
            if (node.IsLeaf)
            {
                return cls.Element(node.Class);
            }

            var reached = e.Phat.Apply(node.Word.Aggregate((Term)l, (latent, a) => e.That.Apply(latent, e.Act.Element(a))));
            var result = Decode(node.Children[^1].Child);
            for (var i = node.Children.Length - 2; i >= 0; i--)
            {
                result = Formula.Ite(Formula.Eq(reached, e.Val.Element(node.Children[i].Key)), Decode(node.Children[i].Child), result);
            }

            return result;
        }

        var g = b.Define("g", [l], Decode(Decoder.Root));
        return (classOf, g);
    }

    /// <summary>
    /// Is there a zero-loss model with exactly <paramref name="latents"/> latent values? The values of
    /// <c>E</c> on every observation are requested.
    /// </summary>
    /// <param name="latents">The size of <c>Lat</c>.</param>
    /// <param name="pinClasses">
    /// True: every observation is pinned to its class's latent <c>l_c</c> (needs at least one latent per
    /// class), so the query checks that this quotient model satisfies the zero-loss equations: sat
    /// exactly when the partition is a bisimulation. False: the solver searches freely, with only a
    /// symmetry breaking that is sound for either answer: representative <c>c</c> takes one of
    /// <c>l0 … l_c</c> (relabelling latents in order of first use turns any model into one that does).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="latents"/> is below 1, or pinning is asked with fewer latents than classes.</exception>
    public SmtScript LatentsQuery(int latents, bool pinClasses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latents, 1);
        if (pinClasses && latents < Partition.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(latents), "pinning classes needs at least one latent per class");
        }

        var (b, e) = Declarations(string.Create(CultureInfo.InvariantCulture, $"latents: is there a zero-loss model with {latents} latent values?"), latents, expectSat: latents >= Partition.Count);
        if (pinClasses)
        {
            for (var s = 0; s < table.States; s++)
            {
                b.Assert(Formula.Eq(e.E.Apply(e.Obs.Element(s)), e.Lat.Element(Partition.ClassOf[s])), s == 0 ? "the quotient model: every observation takes its class's latent" : null);
            }
        }
        else
        {
            var reps = Representatives;
            for (var c = 0; c + 1 < latents && c < reps.Count; c++)
            {
                b.Assert(
                    Formula.Or(Enumerable.Range(0, c + 1).Select(l => Formula.Eq(e.E.Apply(e.Obs.Element(reps[c])), e.Lat.Element(l)))),
                    c == 0 ? "symmetry breaking: representative c takes one of the latents l0 … l_c (relabel latents in order of first use)" : null);
            }
        }

        for (var s = 0; s < table.States; s++)
        {
            b.GetValue(e.E.Apply(e.Obs.Element(s)));
        }

        return b.Build();
    }

    /// <summary>Can a zero-loss model map states <paramref name="a"/> and <paramref name="b"/> to one latent? Sat exactly when they are bisimilar.</summary>
    public SmtScript MergeQuery(int a, int b)
    {
        var (builder, e) = Declarations($"merge: can a zero-loss model give {stateNames[a]} and {stateNames[b]} the same latent?", null, expectSat: Partition.SameClass(a, b));
        builder.Assert(Formula.Eq(e.E.Apply(e.Obs.Element(a)), e.E.Apply(e.Obs.Element(b))), "the two observations share a latent");
        return builder.Build();
    }

    /// <summary>
    /// The latent index a model of <see cref="LatentsQuery"/> with <paramref name="latents"/> latents gives every state
    /// (<c>E(o_s) = l_k</c>), read as terms; empty when the model lacks a state's value (no model: the query was unsat or unknown).
    /// </summary>
    public ImmutableArray<int> EncoderIn(SolverModel model, int latents)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Count == 0)
        {
            return [];
        }

        var obs = ObsSort();
        var e = EncoderSymbol(LatSort(latents), obs);
        var encoder = new int[table.States];
        for (var s = 0; s < encoder.Length; s++)
        {
            if (model.ElementIndex(e.Apply(obs.Element(s))) is not { } latent)
            {
                return [];
            }

            encoder[s] = latent;
        }

        return [.. encoder];
    }

    /// <summary>The two states a model of <see cref="CollapseQuery"/> names as <c>x</c> and <c>y</c>, or null when it names none.</summary>
    public (int X, int Y)? PairIn(SolverModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var obs = ObsSort();
        return (model.ElementIndex(new Term.Constant(PairX, obs)), model.ElementIndex(new Term.Constant(PairY, obs))) is ({ } x, { } y) ? (x, y) : null;
    }

    /// <summary>The symbol of state <paramref name="s"/> in every query, e.g. <c>o4_count4</c>.</summary>
    public string Symbol(int s) => Symbols.Derive("o", s, stateNames[s]);

    private (SmtScriptBuilder Builder, Encoding Encoding) Declarations(string purpose, int? latents, bool expectSat = false)
    {
        var b = new SmtScriptBuilder();
        b.Comment(purpose);
        b.Comment("expected: " + (expectSat ? "sat" : "unsat"));
        b.Comment(string.Create(CultureInfo.InvariantCulture, $"finite abstraction: {table.States} observations, {table.Actions} actions, {Partition.Count} bisimulation classes; Lat {(latents is { } k ? $"has {k} elements" : "is unbounded")}"));
        b.Comment("aux values: " + string.Join(", ", Enumerable.Range(0, auxNames.Count).Select(v => $"v{v} = {auxNames[v]}")));
        var obs = b.Declare(ObsSort());
        var act = b.Declare(Sort.Enumeration("Act", Enumerable.Range(0, table.Actions).Select(a => Symbols.Derive("a", a, actionNames[a]))));
        var val = b.Declare(Sort.Enumeration("Val", Enumerable.Range(0, auxNames.Count).Select(v => "v" + v.ToString(CultureInfo.InvariantCulture))));
        var lat = b.Declare(LatSort(latents));
        var that = b.Declare(FunctionSymbol.Create("That", lat, lat, act));
        var phat = b.Declare(FunctionSymbol.Create("Phat", val, lat));
        var e = new Encoding(obs, act, lat, val, b.Declare(EncoderSymbol(lat, obs)), that, phat);
        for (var s = 0; s < table.States; s++)
        {
            for (var a = 0; a < table.Actions; a++)
            {
                var to = table.Successor(s, a);
                b.Assert(
                    Formula.Eq(that.Apply(e.E.Apply(obs.Element(s)), act.Element(a)), e.E.Apply(obs.Element(to))),
                    s == 0 && a == 0 ? "L_dyn = 0 on every transition T(o, a) = o': That(E(o), a) = E(o')" : null);
            }
        }

        for (var s = 0; s < table.States; s++)
        {
            b.Assert(Formula.Eq(phat.Apply(e.E.Apply(obs.Element(s))), val.Element(keys[s])), s == 0 ? "L_p = 0 on every observation: Phat(E(o)) = p(o)" : null);
        }

        return (b, e);
    }

    /// <summary>The two observations <see cref="CollapseQuery"/> asks about, by name (<see cref="PairIn"/> reads them back).</summary>
    private const string PairX = "x", PairY = "y";

    /// <summary>The encoder <c>E : Obs → Lat</c> of every query.</summary>
    private static FunctionSymbol EncoderSymbol(Sort lat, Sort obs) => FunctionSymbol.Create("E", lat, obs);

    /// <summary>The sort of the observations: one element per state.</summary>
    private Sort ObsSort() => Sort.Enumeration("Obs", Enumerable.Range(0, table.States).Select(Symbol));

    /// <summary>The sort of the latents: <paramref name="latents"/> elements <c>l0 …</c>, or uninterpreted (unbounded).</summary>
    private static Sort LatSort(int? latents) => latents is { } n
        ? Sort.Enumeration("Lat", Enumerable.Range(0, n).Select(l => "l" + l.ToString(CultureInfo.InvariantCulture)))
        : Sort.Uninterpreted("Lat");

    private sealed record Encoding(Sort Obs, Sort Act, Sort Lat, Sort Val, FunctionSymbol E, FunctionSymbol That, FunctionSymbol Phat);
}
