using System.Collections.Immutable;
using System.Globalization;
using Jepa.Verify.Environments.Counting;
using Jepa.Verify.Mdp;

namespace Jepa.Verify.Environments.Gridworld;

/// <summary>
/// An image gridworld with a key, a locked door and a goal, for tests and users: long witnesses, key-dependent dynamics
/// and a cosmetic distractor. A <c>size × size</c> grid with a wall down column ⌊size/2⌋, open only at the door (row
/// ⌊size/2⌋); the agent starts at the top-left cell (0, 0), the key lies at the bottom-left (0, size − 1) and the goal at
/// the top-right (size − 1, 0), behind the wall. Actions <c>up/down/left/right</c> move one cell; a move into the border,
/// a wall, or the door without the key leaves the agent in place. Stepping on the key picks it up. The aux value is the
/// goal reward at the goal cell, 0 elsewhere. Each episode has one of <see cref="GridworldOptions.Distractors"/> floor
/// tints, kept for good and never read by the dynamics or the reward.
/// </summary>
/// <remarks>
/// <para>
/// The MDP holds every (cell, key held, tint) reachable from the start with each tint: complete and deterministic. Its
/// bisimulation classes are the (cell, key held) states (the tints collapse); before the key, cells are told apart only
/// by where long action sequences lead (to the key, through the door, to the goal), up to about 3·size actions.
/// </para>
/// <para>
/// Image: each cell a block of pixels; the floor in the episode's tint, walls grey, the goal yellow, the door blue
/// (cyan once the key is held), the key green while it lies there, the agent red. Features are the pixels' RGB in
/// [−0.5, 0.5] (<c>value/255 − 0.5</c>, as <c>env counting</c> writes them), channel-major or interleaved. Labels:
/// <c>x</c>, <c>y</c>, <c>key</c>, <c>tint</c>.
/// </para>
/// </remarks>
public static class GridworldEnvironment
{
    /// <summary>The actions, in order.</summary>
    public static readonly IReadOnlyList<string> Actions = ["up", "down", "left", "right"];

    private static readonly (int Dx, int Dy)[] Moves = [(0, -1), (0, 1), (-1, 0), (1, 0)];

    private const ulong WallStream = 0x77616C6C73212121UL;

    // Colours as RGB in [0, 1].
    private static readonly (float R, float G, float B)[] Tints = [(0f, 0f, 0f), (0.2f, 0.1f, 0.3f), (0.3f, 0.2f, 0.1f), (0.1f, 0.3f, 0.2f)];
    private static readonly (float R, float G, float B) WallColour = (0.6f, 0.6f, 0.6f);
    private static readonly (float R, float G, float B) GoalColour = (1f, 1f, 0f);
    private static readonly (float R, float G, float B) DoorColour = (0f, 0f, 1f);
    private static readonly (float R, float G, float B) OpenDoorColour = (0f, 1f, 1f);
    private static readonly (float R, float G, float B) KeyColour = (0f, 1f, 0f);
    private static readonly (float R, float G, float B) AgentColour = (1f, 0f, 0f);

    /// <summary>A state: the agent's cell, whether it holds the key, the floor tint.</summary>
    private readonly record struct State(int X, int Y, bool Key, int Tint);

    /// <summary>The layout: walls, and where the start, key, door and goal are.</summary>
    /// <param name="Size">The side in cells.</param>
    /// <param name="Wall">Per cell (row-major, y·size + x), whether it is a wall.</param>
    /// <param name="Key">The key's cell.</param>
    /// <param name="Door">The door's cell.</param>
    /// <param name="Goal">The goal's cell.</param>
    public sealed record Layout(int Size, ImmutableArray<bool> Wall, (int X, int Y) Key, (int X, int Y) Door, (int X, int Y) Goal);

    /// <summary>The layout the options give: the middle wall with its door, and the extra walls placed by the seed.</summary>
    /// <exception cref="ArgumentException">When the options are invalid.</exception>
    public static Layout LayoutOf(GridworldOptions options)
    {
        Check(options);
        var (layout, problem) = Place(options);
        return layout ?? throw new ArgumentException(problem, nameof(options));
    }

    /// <summary>
    /// What is wrong with these options, or null when they give an environment: <see cref="GridworldOptions.Problem"/>, or
    /// extra walls the seed cannot place without cutting off the key, the door or the goal.
    /// </summary>
    public static string? Problem(GridworldOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Problem() ?? Place(options).Problem;
    }

    /// <summary>The middle wall with its door, and the extra walls placed by the seed; or why they do not fit.</summary>
    private static (Layout? Layout, string? Problem) Place(GridworldOptions options)
    {
        var n = options.Size;
        var wall = new bool[n * n];
        var (middle, door) = (n / 2, (n / 2, n / 2));
        for (var y = 0; y < n; y++)
        {
            wall[(y * n) + middle] = y != door.Item2;
        }

        (int, int) start = (0, 0), key = (0, n - 1), goal = (n - 1, 0);
        var rng = new SplitMix64(SplitMix64.Hash(WallStream, options.Seed, (ulong)n));
        var placed = 0;
        for (var attempt = 0; placed < options.Walls && attempt < 64 * n * n; attempt++)
        {
            var cell = rng.Below(n * n);
            var at = (cell % n, cell / n);
            if (wall[cell] || at == start || at == key || at == door || at == goal)
            {
                continue;
            }

            wall[cell] = true;
            if (Connected(wall, n, start, [key, door, goal]))
            {
                placed++;
            }
            else
            {
                wall[cell] = false;
            }
        }

        return placed < options.Walls
            ? (null, $"only {placed} of {options.Walls} extra walls could be placed in a grid of size {n} with seed {options.Seed} without cutting off the key, the door or the goal; ask for fewer walls or another seed")
            : (new Layout(n, [.. wall], key, door, goal), null);
    }

    /// <summary>
    /// The MDP: every (cell, key, tint) reachable from the start cell with each tint, in breadth-first order; ids like
    /// <c>x0y2k-t1</c> (cell (0, 2), key held, tint 1).
    /// </summary>
    /// <exception cref="ArgumentException">When the options are invalid.</exception>
    public static MdpModel Build(GridworldOptions options)
    {
        var layout = LayoutOf(options);
        var n = layout.Size;
        var b = new MdpBuilder(string.Create(CultureInfo.InvariantCulture,
            $"gridworld ({n}x{n}, {(options.Key ? "key and door" : "open door")}, {options.Walls} extra walls, {options.Distractors} tints, {options.ImageSize}px)"));
        foreach (var action in Actions)
        {
            b.AddAction(action);
        }

        var index = new Dictionary<State, int>();
        var queue = new Queue<State>();
        int Visit(State s)
        {
            if (!index.TryGetValue(s, out var i))
            {
                i = index[s] = Add(b, s, layout, options);
                queue.Enqueue(s);
            }

            return i;
        }

        for (var t = 0; t < options.Distractors; t++)
        {
            Visit(new State(0, 0, false, t));
        }

        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            var from = index[s];
            for (var a = 0; a < Moves.Length; a++)
            {
                b.AddTransition(from, a, Visit(Step(s, a, layout, options.Key)));
            }
        }

        if (options is { Features: true, ChannelMajor: true })
        {
            b.SetFeatureShape([3, options.ImageSize, options.ImageSize]);
        }

        return b.Build();
    }

    /// <summary>The id of a state.</summary>
    public static string Id(int x, int y, bool key, int tint) =>
        string.Create(CultureInfo.InvariantCulture, $"x{x}y{y}{(key ? "k" : "")}-t{tint}");

    /// <summary>
    /// The image of a state as RGB in [0, 1], row-major, interleaved (<c>[side, side, 3]</c>); without
    /// <paramref name="keyAndDoor"/> the door cell is open floor and there is no key.
    /// </summary>
    public static float[] Render(Layout layout, int x, int y, bool key, int tint, int side, bool keyAndDoor = true)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var n = layout.Size;
        var pixels = new float[side * side * 3];
        for (var py = 0; py < side; py++)
        {
            for (var px = 0; px < side; px++)
            {
                var (cx, cy) = (px * n / side, py * n / side);
                var colour = (cx, cy) == (x, y) ? AgentColour
                    : layout.Wall[(cy * n) + cx] ? WallColour
                    : (cx, cy) == layout.Door && keyAndDoor ? (key ? OpenDoorColour : DoorColour)
                    : (cx, cy) == layout.Key && keyAndDoor && !key ? KeyColour
                    : (cx, cy) == layout.Goal ? GoalColour
                    : Tints[tint];
                var at = ((py * side) + px) * 3;
                (pixels[at], pixels[at + 1], pixels[at + 2]) = colour;
            }
        }

        return pixels;
    }

    private static State Step(State s, int action, Layout layout, bool locked)
    {
        var n = layout.Size;
        var (x, y) = (s.X + Moves[action].Dx, s.Y + Moves[action].Dy);
        if (x < 0 || y < 0 || x >= n || y >= n || layout.Wall[(y * n) + x] || (locked && (x, y) == layout.Door && !s.Key))
        {
            return s;
        }

        return s with { X = x, Y = y, Key = s.Key || (locked && (x, y) == layout.Key) };
    }

    private static int Add(MdpBuilder b, State s, Layout layout, GridworldOptions options)
    {
        var (i, _) = b.AddObservation(Id(s.X, s.Y, s.Key, s.Tint));
        b.SetAux(i, AuxValue.Scalar((s.X, s.Y) == layout.Goal ? options.GoalReward : 0));
        b.SetLabel(i, "x", s.X.ToString(CultureInfo.InvariantCulture));
        b.SetLabel(i, "y", s.Y.ToString(CultureInfo.InvariantCulture));
        b.SetLabel(i, "key", s.Key ? "true" : "false");
        b.SetLabel(i, "tint", s.Tint.ToString(CultureInfo.InvariantCulture));
        if (options.Features)
        {
            var side = options.ImageSize;
            var pixels = Render(layout, s.X, s.Y, s.Key, s.Tint, side, options.Key);
            var plane = side * side;
            var features = new float[pixels.Length];
            for (var p = 0; p < plane; p++)
            {
                for (var ch = 0; ch < 3; ch++)
                {
                    features[options.ChannelMajor ? (ch * plane) + p : (p * 3) + ch] = pixels[(p * 3) + ch] - 0.5f;
                }
            }

            b.SetFeatures(i, ImmutableArray.Create(features));
        }

        return i;
    }

    /// <summary>Whether every target cell is reachable from the start through non-wall cells (the door counted open).</summary>
    private static bool Connected(bool[] wall, int n, (int X, int Y) start, (int X, int Y)[] targets)
    {
        var seen = new bool[n * n];
        var queue = new Queue<(int X, int Y)>();
        seen[(start.Y * n) + start.X] = true;
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var (x, y) = queue.Dequeue();
            foreach (var (dx, dy) in Moves)
            {
                var (nx, ny) = (x + dx, y + dy);
                if (nx >= 0 && ny >= 0 && nx < n && ny < n && !wall[(ny * n) + nx] && !seen[(ny * n) + nx])
                {
                    seen[(ny * n) + nx] = true;
                    queue.Enqueue((nx, ny));
                }
            }
        }

        return targets.All(t => seen[(t.Y * n) + t.X]);
    }

    private static void Check(GridworldOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }
    }
}
