using Jepa.Verify.Cli.Commands;
using Jepa.Verify.Mdp.Tests;
using Jepa.Verify.Pipeline.Latents;
using Xunit;

namespace Jepa.Verify.Cli.Tests;

/// <summary>Tests for <see cref="AssessCommand"/> on the PyTorch-trained fixtures of Jepa.Verify.Pipeline.Tests.</summary>
public sealed class AssessCommandTests
{
    private static readonly string Counting = TestFiles.Example("counting.json");

    private static string Fixture(string name) => Path.Combine(TestFiles.Root, "tests", "Jepa.Verify.Pipeline.Tests", "Fixtures", name);

    [Fact]
    public void AModelTrainedInPyTorchIsAssessedEndToEndWithItsPremise()
    {
        // PyTorch's plain model (no Lipschitz penalty), mean losses below 1e-4: its heads' constants and largest residuals
        // certify 30 of the 36 pairs step by step; its own rollouts certify the other 6 (docs/certificate.md): exit 0.
        var run = CliRun.Of("assess", Counting, "--encoder", Fixture("encoder.onnx"), "--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx"), "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("certified", run.Json.GetProperty("verdict").GetString());
        Assert.Equal(36, run.Json.GetProperty("certified_pairs").GetInt32());
        Assert.Equal(6, run.Json.GetProperty("rolled_out_pairs").GetInt32());
        Assert.True(run.Json.GetProperty("lipschitz_transition").GetDouble() > 1);
        var j = run.Json;
        Assert.StartsWith("ONNX encoder ", j.GetProperty("latents_source").GetString(), StringComparison.Ordinal);
        Assert.True(j.GetProperty("losses_below_target").GetBoolean());
        Assert.True(j.GetProperty("theorem_holds").GetBoolean());
        Assert.Equal(9, j.GetProperty("classes").GetInt32());
        Assert.Equal(36, j.GetProperty("nonequivalent_pairs").GetInt32());
        Assert.Equal(0, j.GetProperty("violations").GetInt32());
        Assert.True(j.GetProperty("max_residual_dyn").GetDouble() >= j.GetProperty("loss_dyn").GetDouble());

        // The same model with an int64 action index (through F.one_hot): the same certificate.
        var index = CliRun.Of("assess", Counting, "--encoder", Fixture("encoder.onnx"), "--transition", Fixture("transition_index.onnx"), "--aux-head", Fixture("aux_head.onnx"));
        Assert.Equal(0, index.ExitCode);
        Assert.Contains("certificate: 36 of 36 non-equivalent pairs certified", index.Out, StringComparison.Ordinal);
        Assert.Contains("; both mean losses are below 0.0001", index.Out, StringComparison.Ordinal);
        Assert.Contains("required: certified — met", index.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void LatentFilesNeedNoModelAndLeaveThePremiseUnmeasured()
    {
        foreach (var file in new[] { "latents.npy", "latents.csv" })
        {
            var run = CliRun.Of("assess", Counting, "--latents", Fixture(file), "--json");
            Assert.Equal(0, run.ExitCode);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, run.Json.GetProperty("theorem_holds").ValueKind);
            Assert.True(run.Json.GetProperty("separated").GetBoolean());
        }
    }

    [Fact]
    public void ExitOneOnCollapseThreeWhenThePremiseIsMissedTwoOnBadInput()
    {
        Assert.Equal(1, CliRun.Of("assess", Counting, "--encoder", Fixture("collapsed_encoder.onnx")).ExitCode);

        // A target the PyTorch model did not reach (it stopped at L_dyn ≈ 1e-5): the certificate is valid at the loss reached and
        // decides (exit 0); the report says the premise was missed.
        var missed = CliRun.Of("assess", Counting, "--encoder", Fixture("encoder.onnx"), "--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx"), "--loss-target", "1e-7");
        Assert.Equal(0, missed.ExitCode);
        Assert.Contains("the mean losses do not reach 1E-07", missed.Out, StringComparison.Ordinal);

        foreach (var args in new[]
        {
            new[] { "assess", Counting },
            ["assess", Counting, "--latents", Fixture("latents.npy"), "--encoder", Fixture("encoder.onnx")],
            ["assess", Counting, "--latents", Fixture("latents.npy"), "--aux-head", Fixture("aux_head.onnx")],
            ["assess", Counting, "--encoder", Counting],
            ["assess", TestFiles.Example("gridworld.json"), "--latents", Fixture("latents.npy")],
            ["assess", Counting, "--encoder", Fixture("encoder.onnx"), "--aux-head", Fixture("transition.onnx")],
            ["assess", Counting, "--latents", Fixture("latents.npy"), "--require", "proven"],
            ["assess", Counting, "--latents", Fixture("latents.npy"), "--min-certified-fraction", "1.5"],
        })
        {
            var bad = CliRun.Of(args);
            Assert.Equal(2, bad.ExitCode);
            Assert.StartsWith("error: ", bad.Error, StringComparison.Ordinal);
            Assert.Single(bad.Error.TrimEnd('\n').Split('\n'));
        }
    }

    [Fact]
    public void BenchAssessTimesOnnxRuntimeBesideOurEngineOnTheSameWeights()
    {
        var run = CliRun.Of("bench", "assess", "--rows", "300", "--features", "20", "--hidden", "8", "--latent-dim", "4", "--repeat", "1");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("bench assess: 300 rows × 20 features, encoder 20 → 8 → 8 → 4 (ReLU)", run.Out, StringComparison.Ordinal);
        var line = run.Out.Split('\n').Single(l => l.Contains("run 1:", StringComparison.Ordinal));
        var gap = double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(gap, 0, 1e-5);

        var json = CliRun.Of("bench", "assess", "--rows", "50", "--features", "6", "--hidden", "4", "--latent-dim", "2", "--repeat", "2", "--json").Json;
        Assert.Equal(2, json.GetProperty("runs").GetArrayLength());
        Assert.All(json.GetProperty("runs").EnumerateArray(), run => Assert.InRange(run.GetProperty("largest_latent_difference").GetDouble(), 0, 1e-5));
    }

    [Fact]
    public void MoreObservationsThanTheAnalysisComparesAreRefusedBeforeAnyWork()
    {
        // A ring (complete, so the bisimulation is a partition and cheap): one more observation than the limit.
        const int n = 200_001;
        var json = "{\"actions\": [\"a\"], \"observations\": [" + string.Join(", ", Enumerable.Range(0, n).Select(i => $"{{\"id\": \"o{i}\", \"aux\": 0}}")) +
            "], \"transitions\": [" + string.Join(", ", Enumerable.Range(0, n).Select(i => $"{{\"from\": \"o{i}\", \"action\": \"a\", \"to\": \"o{(i + 1) % n}\"}}")) + "]}";
        var file = TestFiles.Write("big.json", json);
        var run = CliRun.Of("assess", file, "--latents", Fixture("latents.npy"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("has 200001 observations; the collapse analysis compares all pairs up to 200000, and with the model's transition model and aux head up to 4000000", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchCertifyWritesAReplayBufferInputThatAssessReadsAndNeverOverwritesOne()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("jv-write-").FullName, "input");
        var write = CliRun.Of("bench", "certify", "--states", "12", "--copies", "3", "--write", dir, "--json");
        Assert.Equal(0, write.ExitCode);
        Assert.Equal(36, write.Json.GetProperty("observations").GetInt32());
        var assess = CliRun.Of("assess", Path.Combine(dir, "mdp.json"), "--latents", Path.Combine(dir, "latents.npy"),
            "--transition", Path.Combine(dir, "transition.onnx"), "--aux-head", Path.Combine(dir, "aux_head.onnx"), "--json").Json;
        Assert.Equal(12, assess.GetProperty("classes").GetInt32());
        Assert.Equal(36 * 35 / 2 - (12 * 3), assess.GetProperty("nonequivalent_pairs").GetInt32());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, assess.GetProperty("certified_pairs").ValueKind);
        var again = CliRun.Of("bench", "certify", "--states", "12", "--copies", "3", "--write", dir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already holds mdp.json", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AReplayBufferOfRepeatedStatesIsCertifiedAtTheClassLevel()
    {
        // The counting MDP with every state seen 500 times (4,500 observations: past the pair level's 4,096), each copy
        // with the PyTorch fixture's latent for its state and the fixture's ONNX heads: one bound per pair of classes,
        // from the representatives' certificate (the fixture's own 36 of 36), for all 9,000,000 member pairs.
        const int copies = 500;
        var (latents, _, d) = NpyFile.Read(Fixture("latents.npy"));
        var counting = CliRun.Of("classes", Counting, "--json").Json;
        Assert.Equal(9, counting.GetProperty("classes").GetInt32());
        string Id(int count, int copy) => $"c{count}_{copy}";
        var observations = Enumerable.Range(0, 9 * copies).Select(o => $"{{\"id\": \"{Id(o / copies, o % copies)}\", \"aux\": {(o / copies == 4 ? 1 : 0)}}}");
        var transitions = Enumerable.Range(0, 9 * copies).SelectMany(o => new[] { ("inc", Math.Min(8, (o / copies) + 1)), ("dec", Math.Max(0, (o / copies) - 1)) }
            .Select((x, a) => $"{{\"from\": \"{Id(o / copies, o % copies)}\", \"action\": \"{x.Item1}\", \"to\": \"{Id(x.Item2, ((o % copies) * 7 + a + 1) % copies)}\"}}"));
        var dir = Directory.CreateTempSubdirectory("jv-replay-").FullName;
        var file = Path.Combine(dir, "replay.json");
        File.WriteAllText(file, $"{{\"actions\": [\"inc\", \"dec\"], \"observations\": [{string.Join(", ", observations)}], \"transitions\": [{string.Join(", ", transitions)}]}}");
        var z = Path.Combine(dir, "z.npy");
        WriteNpy(z, [9 * copies, d], [.. Enumerable.Range(0, 9 * copies).SelectMany(o => latents.Skip(o / copies * d).Take(d))]);

        var run = CliRun.Of("assess", file, "--latents", z, "--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx"), "--json");
        Assert.Equal(0, run.ExitCode);
        var json = run.Json;
        Assert.Equal("certified", json.GetProperty("verdict").GetString());
        Assert.Equal(36L * copies * copies, json.GetProperty("certified_pairs").GetInt64());
        var level = json.GetProperty("certificate_level");
        Assert.Equal(9, level.GetProperty("classes").GetInt32());
        Assert.Equal(36L * copies * copies, level.GetProperty("certified_by_class").GetInt64());
        Assert.Equal(100_000, level.GetProperty("tightness_sampled").GetInt32());
        Assert.InRange(json.GetProperty("bound_tightness").GetProperty("median").GetDouble(), 1e-6, 1);
        Assert.Equal(0, json.GetProperty("violations").GetInt32());

        // The same 9 states once each: the pair level, the same smallest bound (the copies' radii are 0).
        var once = CliRun.Of("assess", Counting, "--latents", Fixture("latents.npy"), "--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx"), "--json").Json;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, once.GetProperty("certificate_level").ValueKind);
        Assert.Equal(once.GetProperty("min_certified_distance").GetDouble(), json.GetProperty("min_certified_distance").GetDouble(), 12);
        Assert.Equal(once.GetProperty("min_nonequivalent_distance").GetDouble(), json.GetProperty("min_nonequivalent_distance").GetDouble(), 12);

        // Listing every pair is refused at this size, before any work; latents alone past the limit are refused too.
        var listing = CliRun.Of("assess", file, "--latents", z, "--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx"), "--pairs");
        Assert.Equal(2, listing.ExitCode);
        Assert.Contains("listing every non-equivalent pair (--pairs) is for at most 4096", listing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void OnnxHeadsAreReadForTheCertificateAndAnOpWithoutABoundIsNamed()
    {
        // Mish (Softplus·Tanh·Mul) and LayerNormalization graphs are read: the certificate from ONNX equals train's.
        var dir = Path.Combine(Path.GetTempPath(), "jv-onnx-" + Guid.NewGuid().ToString("N"));
        var train = CliRun.Of("train", Counting, "--activation", "mish", "--layer-norm", "--steps", "300", "--step-cap", "300", "--quiet", "--save-onnx", dir, "--json").Json;
        string[] heads = ["--transition", Path.Combine(dir, "transition.onnx"), "--aux-head", Path.Combine(dir, "aux_head.onnx")];
        var assess = CliRun.Of(["assess", Counting, "--encoder", Path.Combine(dir, "encoder.onnx"), .. heads, "--json"]).Json;
        Assert.Equal(train.GetProperty("certified_pairs").GetInt32(), assess.GetProperty("certified_pairs").GetInt32());
        var (t, a) = (train.GetProperty("lipschitz_aux").GetDouble(), assess.GetProperty("lipschitz_aux").GetDouble());
        Assert.True(Math.Abs(t - a) <= 1e-5 * t, $"L_P: train {t}, assess {a}");

        // The same aux head with its activation swapped for an op the certificate has no bound for (Relu → Selu, same length).
        var relu = CliRun.Of("train", Counting, "--steps", "50", "--step-cap", "50", "--quiet", "--save-onnx", Path.Combine(dir, "relu")).ExitCode;
        Assert.Equal(3, relu);
        var auxHead = Path.Combine(dir, "relu", "aux_head.onnx");
        var bytes = File.ReadAllBytes(auxHead);
        for (var at = bytes.AsSpan().IndexOf("Relu"u8); at >= 0; at = bytes.AsSpan().IndexOf("Relu"u8))
        {
            "Selu"u8.CopyTo(bytes.AsSpan(at));
        }

        File.WriteAllBytes(auxHead, bytes);
        var selu = CliRun.Of("assess", Counting, "--encoder", Path.Combine(dir, "relu", "encoder.onnx"), "--transition", Path.Combine(dir, "relu", "transition.onnx"), "--aux-head", auxHead, "--json").Json;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, selu.GetProperty("certified_pairs").ValueKind);
        Assert.Contains("Selu node '", selu.GetProperty("no_certificate").GetString(), StringComparison.Ordinal);
        Assert.Contains("has no Lipschitz bound here", selu.GetProperty("no_certificate").GetString(), StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void OurOwnExportAssessedAgreesWithTrainOnEveryReportedNumber()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jv-onnx-" + Guid.NewGuid().ToString("N"));
        var train = CliRun.Of("train", Counting, "--quiet", "--save-onnx", dir, "--json").Json;
        var assess = CliRun.Of("assess", Counting, "--encoder", Path.Combine(dir, "encoder.onnx"), "--transition", Path.Combine(dir, "transition.onnx"), "--aux-head", Path.Combine(dir, "aux_head.onnx"), "--json").Json;
        foreach (var exact in new[] { "observations", "latent_dim", "clusters", "classes", "nonequivalent_pairs", "violations" })
        {
            Assert.Equal(train.GetProperty(exact).GetInt32(), assess.GetProperty(exact).GetInt32());
        }

        foreach (var flag in new[] { "losses_below_target", "theorem_holds" })
        {
            Assert.Equal(train.GetProperty(flag).GetBoolean(), assess.GetProperty(flag).GetBoolean());
        }

        Assert.Equal("certified", assess.GetProperty("verdict").GetString());
        Assert.Equal(train.GetProperty("certified_pairs").GetInt32(), assess.GetProperty("certified_pairs").GetInt32());
        foreach (var close in new[] { "loss_dyn", "loss_aux", "min_nonequivalent_distance", "scale", "effective_rank", "between_class_spread",
            "min_certified_distance", "lipschitz_transition", "lipschitz_aux", "required_residual", "max_residual_dyn", "max_residual_aux" })
        {
            var (t, a) = (train.GetProperty(close).GetDouble(), assess.GetProperty(close).GetDouble());
            Assert.True(Math.Abs(t - a) <= (1e-4 * Math.Abs(t)) + 1e-8, $"{close}: train {t}, assess {a}");
        }

        Directory.Delete(dir, recursive: true);
    }

    private static string Variant(string folder, string name) => Fixture(Path.Combine("variants", folder, name));

    [Theory]
    [InlineData("relu", "certified", 0, 36)]
    [InlineData("layernorm", "certified", 0, 36)]
    public void OneModelExportedEveryWayGivesOneVerdictOneExitCodeAndTheSameCertifiedPairs(string folder, string verdict, int exit, int certified)
    {
        // make_export_variants.py: one PyTorch model each, exported with a one-hot float or an int64 action (F.one_hot, an
        // nn.Embedding), an [n, 1] or a squeezed aux head, at opset 14 (LayerNorm decomposed) and 17.
        var transitions = Directory.GetFiles(Path.GetDirectoryName(Variant(folder, "x"))!, "transition_*.onnx");
        var auxHeads = Directory.GetFiles(Path.GetDirectoryName(Variant(folder, "x"))!, "aux_*.onnx");
        Assert.True(transitions.Length >= 3 && auxHeads.Length >= 2);
        foreach (var t in transitions)
        {
            foreach (var a in auxHeads)
            {
                var run = CliRun.Of("assess", Counting, "--encoder", Variant(folder, "encoder.onnx"), "--transition", t, "--aux-head", a, "--json");
                var what = $"{Path.GetFileName(t)} + {Path.GetFileName(a)}";
                Assert.True(exit == run.ExitCode, $"{what}: exit {run.ExitCode}, {run.Error}");
                Assert.True(verdict == run.Json.GetProperty("verdict").GetString(), what);
                Assert.True(certified == run.Json.GetProperty("certified_pairs").GetInt32(), what);
                Assert.Equal(exit, run.Json.GetProperty("exit_code").GetInt32());
            }
        }
    }

    [Fact]
    public void ResidualHeadsWithGeluAndSiluAreReadAsAGraphAndCertified()
    {
        // T̂(z, a) = z + MLP(cat(z, a)) with GELU (erf), and an aux head with SiLU and tanh-GELU, all at opset 14.
        var run = CliRun.Of("assess", Counting, "--encoder", Variant("residual", "encoder.onnx"), "--transition", Variant("residual", "transition.onnx"),
            "--aux-head", Variant("residual", "aux_head.onnx"), "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("certified", run.Json.GetProperty("verdict").GetString());
        Assert.Equal(36, run.Json.GetProperty("certified_pairs").GetInt32());
    }

    [Fact]
    public void RequireDecidesTheExitCodeAndLessInformationNeverPasses()
    {
        // Latents alone cannot be certified: exit 3 under certified, 0 under apart (the default for latents).
        var latents = Fixture("latents.npy");
        Assert.Equal(0, CliRun.Of("assess", Counting, "--latents", latents).ExitCode);
        var certified = CliRun.Of("assess", Counting, "--latents", latents, "--require", "certified", "--json");
        Assert.Equal(3, certified.ExitCode);
        Assert.False(certified.Json.GetProperty("required").GetProperty("met").GetBoolean());
        Assert.Equal(3, CliRun.Of("assess", Counting, "--encoder", Fixture("encoder.onnx"), "--require", "certified").ExitCode);

        // Perturbed latents with the fixture's heads certify 34 of 36 pairs: apart passes, certified does not, a fraction of
        // 0.8 does, 0.99 does not.
        var dir = Directory.CreateTempSubdirectory("jv-noisy-").FullName;
        string[] ln = ["assess", Counting, "--latents", NoisyLatents(dir), "--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx")];
        Assert.Equal(3, CliRun.Of(ln).ExitCode);
        var apart = CliRun.Of([.. ln, "--require", "apart"]);
        Assert.Equal(0, apart.ExitCode);
        Assert.Contains("certificate: 34 of 36 non-equivalent pairs certified", apart.Out, StringComparison.Ordinal);
        Assert.Contains("required: apart — met", apart.Out, StringComparison.Ordinal);
        Assert.Equal(0, CliRun.Of([.. ln, "--min-certified-fraction", "0.8"]).ExitCode);
        Assert.Equal(3, CliRun.Of([.. ln, "--require", "apart", "--min-certified-fraction", "0.99"]).ExitCode);

        // A collapsed encoder fails whatever is required.
        Assert.Equal(1, CliRun.Of("assess", Counting, "--encoder", Fixture("collapsed_encoder.onnx"), "--require", "apart").ExitCode);
    }

    [Fact]
    public void LossesAreReportedSummedAndPerCoordinateAsPyTorchsMseLoss()
    {
        var run = CliRun.Of("assess", Counting, "--encoder", Fixture("encoder.onnx"), "--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx"), "--json");
        var j = run.Json;
        Assert.Equal(j.GetProperty("loss_dyn").GetDouble() / 16, j.GetProperty("loss_dyn_per_dim").GetDouble(), 15);
        Assert.Equal(j.GetProperty("loss_aux").GetDouble(), j.GetProperty("loss_aux_per_dim").GetDouble(), 15);
        var text = CliRun.Of("assess", Counting, "--encoder", Fixture("encoder.onnx"), "--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx"));
        Assert.Contains("per coordinate (PyTorch's F.mse_loss): L_dyn ", text.Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// The fixture's latents with a fixed perturbation of up to ±0.0015 per coordinate (under 1 % of their RMS norm; both losses stay below 1e-4), written
    /// as <c>noisy_latents.npy</c> into <paramref name="dir"/>: with the fixture's heads, apart but with 34 of 36 pairs certified.
    /// </summary>
    internal static string NoisyLatents(string dir)
    {
        var bytes = File.ReadAllBytes(Fixture("latents.npy"));
        var start = 10 + bytes[8] + (bytes[9] << 8);
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(start)).ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] += (float)(0.0015 * ((((ulong)i * 2654435761UL % 1000) / 500.0) - 1));
        }

        var path = Path.Combine(dir, "noisy_latents.npy");
        WriteNpy(path, [9, values.Length / 9], values);
        return path;
    }

    /// <summary>An <c>.npy</c> float32 array as numpy.save writes it (version 1.0).</summary>
    private static void WriteNpy(string path, int[] shape, float[] values)
    {
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}), }}";
        var header = dict + new string(' ', (64 - ((10 + dict.Length + 1) % 64)) % 64) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, .. "NUMPY"u8, 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
        file.Write(System.Text.Encoding.ASCII.GetBytes(header));
        file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    [Fact]
    public void AnImageEncoderTakingNchwIsAssessedWithoutAWrapperAndMisorderedFeaturesAreNamed()
    {
        var dir = Directory.CreateTempSubdirectory("jv-image-").FullName;
        var mdp = Path.Combine(dir, "counting32.json");
        Assert.Equal(0, CliRun.Of("env", "counting", "--size", "32", "--families", "1", "--layouts", "1", "--channel-major", "--export", mdp).ExitCode);
        var encoder = Variant("image", "encoder.onnx");
        var run = CliRun.Of("assess", mdp, "--encoder", encoder, "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("apart", run.Json.GetProperty("verdict").GetString());
        Assert.Equal(0, run.Json.GetProperty("warnings").GetArrayLength());

        // The same pixels as a .npy [N, 3, 32, 32]: no warning; as [N, 32, 32, 3]: refused with the transpose; one pixel off: a warning.
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(mdp));
        var rows = json.RootElement.GetProperty("observations").EnumerateArray().Select(o => o.GetProperty("features").EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var nchw = rows.SelectMany(r => r).ToArray();
        WriteNpy(Path.Combine(dir, "nchw.npy"), [9, 3, 32, 32], nchw);
        var same = CliRun.Of("assess", mdp, "--encoder", encoder, "--features", Path.Combine(dir, "nchw.npy"));
        Assert.Equal(0, same.ExitCode);
        Assert.Equal("", same.Error);

        var nhwc = rows.SelectMany(r => Enumerable.Range(0, 32 * 32 * 3).Select(i => r[((i % 3) * 1024) + (i / 3)])).ToArray();
        WriteNpy(Path.Combine(dir, "nhwc.npy"), [9, 32, 32, 3], nhwc);
        var transposed = CliRun.Of("assess", mdp, "--encoder", encoder, "--features", Path.Combine(dir, "nhwc.npy"));
        Assert.Equal(2, transposed.ExitCode);
        Assert.Single(transposed.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains("takes [3, 32, 32] per observation, but the features are [32, 32, 3]", transposed.Error, StringComparison.Ordinal);
        Assert.Contains("x.transpose(0, 3, 1, 2)", transposed.Error, StringComparison.Ordinal);

        // The interleaved pixels flattened to [N, 3072] fit the size but not the layout: assessed, with a warning saying how much differs.
        WriteNpy(Path.Combine(dir, "flat.npy"), [9, 3072], nhwc);
        var flat = CliRun.Of("assess", mdp, "--encoder", encoder, "--features", Path.Combine(dir, "flat.npy"));
        Assert.NotEqual(2, flat.ExitCode);
        Assert.StartsWith("warning: ", flat.Error, StringComparison.Ordinal);
        Assert.Contains("differs from the MDP's features in ", flat.Error, StringComparison.Ordinal);

        // A batch fixed at export (9 rows) runs on 9 observations, and gets one line naming dynamic_axes on 18.
        Assert.Equal(0, CliRun.Of("assess", mdp, "--encoder", Variant("image", "encoder_static.onnx")).ExitCode);
        var mdp18 = Path.Combine(dir, "counting32x2.json");
        Assert.Equal(0, CliRun.Of("env", "counting", "--size", "32", "--families", "1", "--layouts", "2", "--channel-major", "--export", mdp18).ExitCode);
        var fixedBatch = CliRun.Of("assess", mdp18, "--encoder", Variant("image", "encoder_static.onnx"));
        Assert.Equal(2, fixedBatch.ExitCode);
        Assert.Contains("dynamic_axes", fixedBatch.Error, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void BoundTightnessIsTheMinimumAndMedianOfBoundOverDistance()
    {
        var j = CliRun.Of("assess", Counting, "--encoder", Fixture("encoder.onnx"), "--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx"), "--pairs", "--json").Json;
        var ratios = j.GetProperty("pairs").EnumerateArray().Select(p => p.GetProperty("bound").GetDouble() / p.GetProperty("distance").GetDouble()).Order().ToArray();
        Assert.Equal(36, ratios.Length);
        Assert.All(ratios, r => Assert.InRange(r, 0, 1));
        var tightness = j.GetProperty("bound_tightness");
        Assert.Equal(ratios[0], tightness.GetProperty("min").GetDouble(), 5);
        Assert.Equal((ratios[17] + ratios[18]) / 2, tightness.GetProperty("median").GetDouble(), 5);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, CliRun.Of("assess", Counting, "--latents", Fixture("latents.npy"), "--json").Json.GetProperty("bound_tightness").ValueKind);
    }

    [Fact]
    public void LatentsFromAFileWithTheOnnxHeadsGetTheEncodersCertificate()
    {
        // latents.npy is the fixture encoder's output: with the same heads, the same premise and the same certificate.
        string[] heads = ["--transition", Fixture("transition.onnx"), "--aux-head", Fixture("aux_head.onnx"), "--json"];
        var fromFile = CliRun.Of(["assess", Counting, "--latents", Fixture("latents.npy"), .. heads]);
        var fromEncoder = CliRun.Of(["assess", Counting, "--encoder", Fixture("encoder.onnx"), .. heads]);
        Assert.Equal(0, fromFile.ExitCode);
        foreach (var key in new[] { "certified_pairs", "rolled_out_pairs" })
        {
            Assert.Equal(fromEncoder.Json.GetProperty(key).GetInt32(), fromFile.Json.GetProperty(key).GetInt32());
        }

        foreach (var key in new[] { "loss_dyn", "loss_aux", "lipschitz_transition", "lipschitz_aux", "min_certified_distance" })
        {
            // latents.npy is PyTorch's float32 output, the encoder's is ONNX Runtime's: equal to float32 rounding.
            var (e, f) = (fromEncoder.Json.GetProperty(key).GetDouble(), fromFile.Json.GetProperty(key).GetDouble());
            Assert.True(Math.Abs(e - f) <= 1e-4 * Math.Abs(e), $"{key}: encoder {e}, file {f}");
        }

        Assert.Equal(2, CliRun.Of("assess", Counting, "--latents", Fixture("latents.npy"), "--features", Fixture("latents.npy")).ExitCode);
    }

    [Fact]
    public void ATwoHotRewardHeadExportedAsLogitsIsCertifiedWithAuxBins()
    {
        // make_export_variants.py: TD-MPC2's reward head (101 logits over symlog bins on [-10, 10], soft cross-entropy),
        // trained jointly in PyTorch and exported as it is.
        string[] model = ["assess", Counting, "--encoder", Variant("twohot", "encoder.onnx"), "--transition", Variant("twohot", "transition_onehot_17.onnx"),
            "--aux-head", Variant("twohot", "aux_logits_17.onnx")];
        var plain = CliRun.Of(model);
        Assert.Equal(2, plain.ExitCode);
        Assert.Contains("pass --aux-bins 101", plain.Error, StringComparison.Ordinal);
        var run = CliRun.Of([.. model, "--aux-bins", "101", "--json"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("certified", run.Json.GetProperty("verdict").GetString());
        Assert.Equal(36, run.Json.GetProperty("certified_pairs").GetInt32());
        Assert.Equal("symlog", run.Json.GetProperty("certificate_aux_space").GetString());
        Assert.True(run.Json.GetProperty("loss_aux").GetDouble() < 1e-4, "the expected bin predicts clamp(symlog(p))");
        Assert.Equal(2, CliRun.Of([.. model, "--aux-bins", "11"]).ExitCode);
        Assert.Equal(2, CliRun.Of("assess", Counting, "--latents", Fixture("latents.npy"), "--aux-bins", "101").ExitCode);
    }
}
