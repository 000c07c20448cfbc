using System.Collections.Immutable;
using Jepa.Verify.Mdp;
using Jepa.Verify.Mdp.Formats;

namespace Jepa.Verify.Pipeline.Check;

/// <summary>
/// The recorded outcome of a <c>check</c> run that later runs are compared with: written only by
/// <c>--update-baseline</c>, read strictly (format: docs/formats.md).
/// </summary>
/// <param name="Name">The config's name when it was recorded.</param>
/// <param name="Classes">Bisimulation classes, or null (finite data).</param>
/// <param name="MinLatents">The proved <c>min_latents</c>, or null.</param>
/// <param name="Runs">One entry per seed.</param>
public sealed record CheckBaseline(string Name, int? Classes, int? MinLatents, ImmutableArray<CheckBaseline.Run> Runs)
{
    /// <summary>The <c>format</c> field every baseline carries.</summary>
    public const string Format = "jepa-verify-baseline";

    /// <summary>The version written and the only one read.</summary>
    public const int Version = 1;

    /// <summary>One seed's recorded outcome; the losses are kept for people, only the rest is compared.</summary>
    /// <param name="Seed">The training seed (<see cref="CheckRunner.ExternalSeed"/> for a model trained elsewhere).</param>
    /// <param name="LossesBelowTarget">Both mean losses were below the loss target.</param>
    /// <param name="LossDyn">L_dyn, or null.</param>
    /// <param name="LossAux">L_p, or null.</param>
    /// <param name="Clusters">Latent clusters at the tolerance, or null.</param>
    /// <param name="Violations">Non-equivalent pairs within the tolerance, or null.</param>
    /// <param name="CertifiedPairs">Non-equivalent pairs with a positive certified bound, or null (no certificate, or a baseline recorded before it was kept).</param>
    public sealed record Run(ulong Seed, bool LossesBelowTarget, double? LossDyn, double? LossAux, int? Clusters, long? Violations, long? CertifiedPairs = null);

    /// <summary>Reads a baseline file.</summary>
    /// <exception cref="MdpFormatException">On any problem, with the place and the fix.</exception>
    public static CheckBaseline Read(string path)
    {
        TextFile.RequireFile(path);
        var expected = $"a baseline written by 'jepa-verify check --update-baseline' (\"format\": \"{Format}\")";
        var (root, locate) = JsonDocumentReader.Parse(path, TextFile.ReadBytes(path), expected);
        var f = new JsonFields(locate);
        f.Expect(root, JsonKind.Object, "the top level", $"write {expected}");
        f.AllowOnly(root, "the baseline", "format", "version", "name", "classes", "min_latents", "runs");
        f.Text(f.Require(root, "format", "the baseline", $"regenerate it with --update-baseline"), "\"format\"", Format);
        var version = f.Integer(f.Require(root, "version", "the baseline", "regenerate it with --update-baseline"), "\"version\"", 1, int.MaxValue);
        if (version != Version)
        {
            throw new MdpFormatException(f.At(root.Get("version")!), $"baseline version {version} is not supported (this tool reads {Version})", "regenerate it with --update-baseline");
        }

        var name = f.Text(f.Require(root, "name", "the baseline", "regenerate it with --update-baseline"), "\"name\"");
        var runs = f.Expect(f.Require(root, "runs", "the baseline", "regenerate it with --update-baseline"), JsonKind.Array, "\"runs\"", "write a list of run objects");
        var list = ImmutableArray.CreateBuilder<Run>();
        foreach (var r in runs.Items)
        {
            f.Expect(r, JsonKind.Object, "a run", "write {\"seed\": 0, \"clusters\": 9, \"violations\": 0, ...}");
            f.AllowOnly(r, "a run", "seed", "losses_below_target", "loss_dyn", "loss_aux", "clusters", "violations", "certified_pairs");
            var seed = (ulong)f.Integer(f.Require(r, "seed", "a run", "add \"seed\""), "\"seed\"", 0, 1L << 53);
            if (list.Any(x => x.Seed == seed))
            {
                throw new MdpFormatException(f.At(r), $"seed {seed} appears twice", "keep one run per seed");
            }

            list.Add(new Run(
                seed,
                f.Boolean(f.Require(r, "losses_below_target", "a run", "add \"losses_below_target\""), "\"losses_below_target\""),
                OptionalNumber(f, r, "loss_dyn"),
                OptionalNumber(f, r, "loss_aux"),
                (int?)OptionalInteger(f, r, "clusters", int.MaxValue),
                OptionalInteger(f, r, "violations", long.MaxValue / 4),
                OptionalInteger(f, r, "certified_pairs", long.MaxValue / 4)));
        }

        return new CheckBaseline(name, (int?)OptionalInteger(f, root, "classes", int.MaxValue), (int?)OptionalInteger(f, root, "min_latents", int.MaxValue), list.ToImmutable());
    }

    private static double? OptionalNumber(JsonFields f, JsonNode obj, string key) =>
        obj.Get(key) is { Kind: not JsonKind.Null } v ? f.Number(v, $"\"{key}\"", double.MinValue, double.MaxValue) : null;

    private static long? OptionalInteger(JsonFields f, JsonNode obj, string key, long max) =>
        obj.Get(key) is { Kind: not JsonKind.Null } v ? f.Integer(v, $"\"{key}\"", 0, max) : null;
}
