using System.Collections.Immutable;
using System.Globalization;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Environments.Counting;

/// <summary>
/// The paper's counting environment on images (DESIGN.md §1): actions <c>inc</c>/<c>dec</c> change
/// the number of objects, clipped to [0, 8]; the aux is a reward for the target count. Two forms:
/// <see cref="Exact"/>, a finite deterministic MDP whose successor layout is a fixed hash, and
/// <see cref="Dataset(CountingOptions, int, int)"/>, random trajectories whose positions are redrawn at every count change
/// (the paper's setting) kept as a transition dataset. Labels: <c>count</c>, <c>shape</c>,
/// <c>colour</c> (<c>#rrggbb</c>), <c>layout</c>.
/// </summary>
public static class CountingEnvironment
{
    /// <summary>The actions, in order: 0 adds an object, 1 removes one.</summary>
    public static readonly IReadOnlyList<string> Actions = ["inc", "dec"];

    private const ulong FamilyStream = 0x66616D696C792121UL;
    private const ulong ExactLayoutStream = 0x6578616374217E7EUL;
    private const ulong SuccessorStream = 0x7375636365737321UL;
    private const ulong DatasetStream = 0x6461746173657421UL;
    private const ulong ProbeStream = 0x70726F6265732121UL;

    /// <summary>The shape and colour of family <paramref name="family"/>: shapes cycle through the four, colours come from the seed.</summary>
    public static (ObjectShape Shape, Rgb Colour) Family(int family, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(family);
        var rng = new SplitMix64(SplitMix64.Hash(FamilyStream, seed, (ulong)family));
        return ((ObjectShape)(family % 4), RandomColour(ref rng));
    }

    /// <summary>The aux value of a count under a reward kind and target.</summary>
    public static double Reward(int count, int target, CountingReward reward) => reward == CountingReward.Dense
        ? 1 - (Math.Abs(count - target) / (double)CountingRenderer.MaxCount)
        : count == target ? 1 : 0;

    /// <summary>The id of an exact-mode observation, e.g. <c>c4-f0-l1</c>.</summary>
    public static string ExactId(int count, int family, int layout) =>
        string.Create(CultureInfo.InvariantCulture, $"c{count}-f{family}-l{layout}");

    /// <summary>
    /// The exact MDP: one observation per (family, count, layout), <c>9 · families · layouts</c> in all.
    /// <c>inc</c>/<c>dec</c> move to count ± 1 in the same family and to the layout
    /// <c>hash(seed, family, count, layout, action) mod layouts</c>; at count 0 (dec) or 8 (inc) the
    /// observation stays the same. Complete and deterministic; with either reward its bisimulation
    /// classes are the 9 counts.
    /// </summary>
    /// <exception cref="ArgumentException">When the options are invalid (see <see cref="CountingOptions.Problem"/>).</exception>
    public static MdpModel Exact(CountingOptions options)
    {
        Check(options);
        var b = new MdpBuilder(string.Create(CultureInfo.InvariantCulture, $"counting (exact, {options.Families} families, {options.Layouts} layouts, {options.Size}px)"));
        foreach (var action in Actions)
        {
            b.AddAction(action);
        }

        // Observation index of (family, count, layout), in the order of ExactScenes.
        int Index(int family, int count, int layout) => (((family * 9) + count) * options.Layouts) + layout;
        var scenes = ExactScenes(options);
        for (var i = 0; i < scenes.Length; i++)
        {
            var l = i % options.Layouts;
            AddObservation(b, ExactId(scenes[i].Count, i / (9 * options.Layouts), l), scenes[i], l.ToString(CultureInfo.InvariantCulture), options);
        }

        for (var f = 0; f < options.Families; f++)
        {
            for (var c = 0; c <= CountingRenderer.MaxCount; c++)
            {
                for (var l = 0; l < options.Layouts; l++)
                {
                    var from = Index(f, c, l);
                    for (var a = 0; a < Actions.Count; a++)
                    {
                        var next = a == 0 ? Math.Min(c + 1, CountingRenderer.MaxCount) : Math.Max(c - 1, 0);
                        var to = next == c
                            ? from
                            : Index(f, next, (int)(SplitMix64.Hash(SuccessorStream, options.Seed, (ulong)f, (ulong)c, (ulong)l, (ulong)a) % (ulong)options.Layouts));
                        b.AddTransition(from, a, to);
                    }
                }
            }
        }

        return Built(b, options);
    }

    /// <summary>
    /// The scenes of <see cref="Exact"/>'s observations, in its observation order: family-major,
    /// then count, then layout (observation <c>i</c> has family <c>i / (9·layouts)</c>, count
    /// <c>i / layouts mod 9</c>, layout <c>i mod layouts</c>).
    /// </summary>
    /// <exception cref="ArgumentException">When the options are invalid.</exception>
    public static ImmutableArray<CountingScene> ExactScenes(CountingOptions options)
    {
        Check(options);
        var scenes = ImmutableArray.CreateBuilder<CountingScene>(options.Families * 9 * options.Layouts);
        for (var f = 0; f < options.Families; f++)
        {
            var (shape, colour) = Family(f, options.Seed);
            for (var c = 0; c <= CountingRenderer.MaxCount; c++)
            {
                for (var l = 0; l < options.Layouts; l++)
                {
                    scenes.Add(new CountingScene(c, shape, colour, SplitMix64.Hash(ExactLayoutStream, options.Seed, (ulong)f, (ulong)c, (ulong)l)));
                }
            }
        }

        return scenes.MoveToImmutable();
    }

    /// <summary>
    /// The paper's data: <paramref name="episodes"/> trajectories of <paramref name="steps"/> uniformly
    /// random actions. Each episode draws a shape, a colour, a start count and a layout; every count
    /// change redraws the positions, so each visit is a new observation (<c>c3-e0-v2</c>: count 3,
    /// episode 0, visit 2) and a clipped action keeps the observation. Only the observed transitions
    /// are kept, so the finite-data relation applies. <see cref="CountingOptions.Families"/> and
    /// <see cref="CountingOptions.Layouts"/> are not used.
    /// </summary>
    /// <exception cref="ArgumentException">When the options are invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <see cref="DatasetProblem"/> finds episodes or steps out of range.</exception>
    public static MdpModel Dataset(CountingOptions options, int episodes, int steps) =>
        Dataset(options, Trajectories(options, episodes, steps), steps);

    /// <summary>
    /// The dataset MDP of trajectories already drawn by <see cref="Trajectories"/> (with <paramref name="steps"/> actions
    /// each): its observations are the scenes, in their order, so features rendered from the scenes line up with it.
    /// </summary>
    /// <exception cref="ArgumentException">When the options are invalid.</exception>
    public static MdpModel Dataset(
        CountingOptions options, (ImmutableArray<CountingScene> Scenes, ImmutableArray<(int From, int Action, int To)> Transitions, ImmutableArray<int> EpisodeStarts) trajectories, int steps)
    {
        Check(options);
        var (scenes, transitions, starts) = trajectories;
        var b = new MdpBuilder(string.Create(CultureInfo.InvariantCulture, $"counting (dataset, {starts.Length} episodes of {steps} steps, {options.Size}px)"));
        foreach (var action in Actions)
        {
            b.AddAction(action);
        }

        for (var e = 0; e < starts.Length; e++)
        {
            var end = e + 1 < starts.Length ? starts[e + 1] : scenes.Length;
            for (var i = starts[e]; i < end; i++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"c{scenes[i].Count}-e{e}-v{i - starts[e]}");
                AddObservation(b, id, scenes[i], scenes[i].LayoutSeed.ToString("x16", CultureInfo.InvariantCulture), options);
                if (i == starts[e])
                {
                    b.AddInitial(id);
                }
            }
        }

        foreach (var (from, action, to) in transitions)
        {
            b.AddTransition(from, action, to);
        }

        return Built(b, options);
    }

    /// <summary>
    /// The observations and transitions of <see cref="Dataset(CountingOptions, int, int)"/>, without building an MDP: every visit's scene in order,
    /// the distinct observed transitions (observation indices into the scenes) and the index of each episode's first
    /// observation. The experiment renders the scenes straight into training data.
    /// </summary>
    /// <exception cref="ArgumentException">When the options are invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <see cref="DatasetProblem"/> finds episodes or steps out of range.</exception>
    public static (ImmutableArray<CountingScene> Scenes, ImmutableArray<(int From, int Action, int To)> Transitions, ImmutableArray<int> EpisodeStarts) Trajectories(
        CountingOptions options, int episodes, int steps)
    {
        Check(options);
        if (DatasetProblem(episodes, steps) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), problem);
        }

        var rng = new SplitMix64(SplitMix64.Hash(DatasetStream, options.Seed));
        var scenes = ImmutableArray.CreateBuilder<CountingScene>();
        var transitions = ImmutableArray.CreateBuilder<(int, int, int)>();
        var starts = ImmutableArray.CreateBuilder<int>(episodes);
        var seen = new HashSet<(int, int, int)>();
        for (var e = 0; e < episodes; e++)
        {
            var shape = (ObjectShape)rng.Below(4);
            var colour = RandomColour(ref rng);
            var count = rng.Below(CountingRenderer.MaxCount + 1);
            int Visit()
            {
                scenes.Add(new CountingScene(count, shape, colour, rng.Next()));
                return scenes.Count - 1;
            }

            starts.Add(scenes.Count);
            var current = Visit();
            for (var t = 0; t < steps; t++)
            {
                var a = rng.Below(2);
                var next = a == 0 ? Math.Min(count + 1, CountingRenderer.MaxCount) : Math.Max(count - 1, 0);
                var to = current;
                if (next != count)
                {
                    count = next;
                    to = Visit();
                }

                if (seen.Add((current, a, to)))
                {
                    transitions.Add((current, a, to));
                }

                current = to;
            }
        }

        return (scenes.ToImmutable(), transitions.ToImmutable(), starts.MoveToImmutable());
    }

    /// <summary>
    /// The reference code's probe observations: each resets (a random shape, colour, count 0–8 and layout), then takes
    /// 3 to 5 uniformly random actions (positions redrawn on every count change) and keeps the scene it ends in. Drawn
    /// from their own stream, so they are never the training trajectories' scenes.
    /// </summary>
    /// <exception cref="ArgumentException">When the options are invalid.</exception>
    public static ImmutableArray<CountingScene> ProbeScenes(CountingOptions options, int count)
    {
        Check(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var rng = new SplitMix64(SplitMix64.Hash(ProbeStream, options.Seed));
        var probes = ImmutableArray.CreateBuilder<CountingScene>(count);
        for (var i = 0; i < count; i++)
        {
            var shape = (ObjectShape)rng.Below(4);
            var colour = RandomColour(ref rng);
            var objects = rng.Below(CountingRenderer.MaxCount + 1);
            var layout = rng.Next();
            var steps = 3 + rng.Below(3);
            for (var t = 0; t < steps; t++)
            {
                var next = rng.Below(2) == 0 ? Math.Min(objects + 1, CountingRenderer.MaxCount) : Math.Max(objects - 1, 0);
                if (next != objects)
                {
                    objects = next;
                    layout = rng.Next();
                }
            }

            probes.Add(new CountingScene(objects, shape, colour, layout));
        }

        return probes.MoveToImmutable();
    }

    /// <summary>The most actions a dataset takes in all (episodes × steps).</summary>
    public const int MaxDatasetSteps = 100_000;

    /// <summary>What is wrong with a dataset size, or null when episodes and steps are at least 1 and take at most <see cref="MaxDatasetSteps"/> actions.</summary>
    public static string? DatasetProblem(int episodes, int steps) =>
        episodes < 1 || steps < 1 || (long)episodes * steps > MaxDatasetSteps
            ? string.Create(CultureInfo.InvariantCulture, $"episodes and steps must be at least 1 with at most {MaxDatasetSteps} steps in all, got {episodes} × {steps}")
            : null;

    /// <summary>Builds the MDP, saying that channel-major features are <c>[3, size, size]</c> images.</summary>
    private static MdpModel Built(MdpBuilder b, CountingOptions options)
    {
        if (options is { Features: true, ChannelMajor: true })
        {
            b.SetFeatureShape([3, options.Size, options.Size]);
        }

        return b.Build();
    }

    private static int AddObservation(MdpBuilder b, string id, CountingScene scene, string layout, CountingOptions options)
    {
        var (i, _) = b.AddObservation(id);
        b.SetAux(i, AuxValue.Scalar(Reward(scene.Count, options.Target, options.Reward)));
        b.SetLabel(i, "count", scene.Count.ToString(CultureInfo.InvariantCulture));
        b.SetLabel(i, "shape", scene.Shape.ToString().ToLowerInvariant());
        b.SetLabel(i, "colour", scene.Colour.Hex);
        b.SetLabel(i, "layout", layout);
        if (options.Features)
        {
            b.SetFeatures(i, CountingRenderer.Features(scene, options.Size, options.ChannelMajor));
        }

        return i;
    }

    private static Rgb RandomColour(ref SplitMix64 rng) =>
        new((byte)(30 + rng.Below(196)), (byte)(30 + rng.Below(196)), (byte)(30 + rng.Below(196)));

    private static void Check(CountingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }
    }
}
