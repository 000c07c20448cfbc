using System.Diagnostics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Jepa.Verify.Properties.Fuzz;

/// <summary>
/// Inputs for the fuzz suite: valid seed files mutated by FsCheck-generated edits (byte changes,
/// inserted format tokens, deleted, duplicated and truncated ranges, runs of one token for deep
/// nesting) plus raw random bytes; and the harness that runs a parser on each with a hang guard.
/// </summary>
internal static class FuzzInputs
{
    /// <summary>Inputs per format in a normal run.</summary>
    public const int NormalCount = 10_000;

    /// <summary>Set this environment variable to a factor (e.g. 100) for a soak run with that many times more inputs.</summary>
    public const string SoakVariable = "JEPA_VERIFY_SOAK";

    /// <summary>No single input may take longer than this.</summary>
    public static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(5);

    /// <summary>Bytes that commonly break readers, added to every format's tokens.</summary>
    private static readonly string[] CommonTokens = ["\0", "\uFEFF", "\r\n", "\n", "\t", " ", "\"", "\\", "-", "0", "-1", "1e999", "NaN", "999999999999", "é", "\uD7FF"];

    /// <summary>The repository's <c>examples/</c> folder: the seed files.</summary>
    public static string Examples { get; } = Path.Combine(Mdp.Tests.TestFiles.Root, "examples");

    /// <summary>How many inputs each format gets: <see cref="NormalCount"/>, times the soak factor when set.</summary>
    public static int Count(int normal = NormalCount) =>
        int.TryParse(Environment.GetEnvironmentVariable(SoakVariable), out var factor) && factor > 1 ? normal * factor : normal;

    /// <summary>Mutations of the seeds (9 in 10) and random bytes (1 in 10), with a halving shrinker.</summary>
    public static Arbitrary<byte[]> Mutated(IReadOnlyList<string> seeds, IReadOnlyList<string> tokens) =>
        Mutated([.. seeds.Select(Encoding.UTF8.GetBytes)], tokens);

    /// <inheritdoc cref="Mutated(IReadOnlyList{string}, IReadOnlyList{string})"/>
    public static Arbitrary<byte[]> Mutated(IReadOnlyList<byte[]> seeds, IReadOnlyList<string> tokens)
    {
        var all = tokens.Concat(CommonTokens).Select(Encoding.UTF8.GetBytes).ToArray();
        var edit = from op in Gen.Choose(0, 6)
                   from position in Gen.Choose(0, int.MaxValue)
                   from length in Gen.Choose(0, 64)
                   from token in Gen.Choose(0, all.Length - 1)
                   from value in Gen.Choose(0, 255)
                   select new Edit(op, position, length, token, (byte)value);
        var mutated = from seed in Gen.Elements(seeds.ToArray())
                      from count in Gen.Choose(1, 4)
                      from edits in Gen.ArrayOf(edit, count)
                      select Apply(seed, edits, all);
        var random = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b));
        return Arb.From(Gen.Frequency((9, mutated), (1, random)), Shrink);
    }

    /// <summary>
    /// Runs <paramref name="property"/> on one input on a worker thread: an input that takes longer than
    /// <see cref="PerInputLimit"/> fails, and one that hangs fails after twice that, naming the input (in base64),
    /// instead of hanging the test run.
    /// </summary>
    public static bool Guarded(FuzzArbitraries.FuzzInput input, Func<byte[], bool> property)
    {
        var clock = Stopwatch.StartNew();
        var worker = Task.Run(() => property(input.Bytes));
        if (Task.WaitAny([worker], PerInputLimit * 2) < 0)
        {
            throw new TimeoutException($"the parser did not finish within {(PerInputLimit * 2).TotalSeconds:0} s on {input}");
        }

        return worker.GetAwaiter().GetResult() && clock.Elapsed < PerInputLimit;
    }

    /// <summary>True when <paramref name="message"/> is one line that starts with <paramref name="file"/>; otherwise throws with the message, so the failure shows it.</summary>
    public static bool OneLineAbout(string message, string file) =>
        message.Length > 0 && !message.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029') && message.StartsWith(file, StringComparison.Ordinal)
            ? true
            : throw new InvalidOperationException($"not a one-line error about {file}: {message}");

    private static byte[] Apply(byte[] seed, Edit[] edits, byte[][] tokens)
    {
        var b = new List<byte>(seed);
        foreach (var e in edits)
        {
            var at = e.Where % (b.Count + 1);
            var length = Math.Min(e.Length, b.Count - at);
            switch (e.Op)
            {
                case 0 when b.Count > 0:
                    b[Math.Min(at, b.Count - 1)] = e.Value;
                    break;
                case 1:
                    b.InsertRange(at, tokens[e.Token]);
                    break;
                case 2:
                    b.RemoveRange(at, length);
                    break;
                case 3:
                    b.InsertRange(at, b.GetRange(at, length));
                    break;
                case 4:
                    b.RemoveRange(at, b.Count - at);
                    break;
                case 5:
                    b.Insert(at, e.Value);
                    break;
                default:
                    b.InsertRange(at, Enumerable.Repeat(tokens[e.Token], e.Length * 4).SelectMany(t => t));
                    break;
            }
        }

        return [.. b];
    }

    private static IEnumerable<byte[]> Shrink(byte[] bytes)
    {
        if (bytes.Length > 1)
        {
            yield return bytes[..(bytes.Length / 2)];
            yield return bytes[(bytes.Length / 2)..];
            for (var chunk = Math.Max(1, bytes.Length / 8); chunk >= 1 && bytes.Length > chunk; chunk /= 2)
            {
                for (var at = 0; at + chunk <= bytes.Length; at += chunk)
                {
                    yield return [.. bytes[..at], .. bytes[(at + chunk)..]];
                }

                if (chunk == 1)
                {
                    break;
                }
            }
        }
    }

    private readonly record struct Edit(int Op, int Where, int Length, int Token, byte Value);
}
