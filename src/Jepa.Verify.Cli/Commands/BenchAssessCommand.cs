using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Jepa.Verify.Learning.Autograd;
using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Learning.Modules;
using Jepa.Verify.Learning.Tensors;
using Jepa.Verify.Pipeline.Onnx;

namespace Jepa.Verify.Cli.Commands;

/// <summary>
/// <c>jepa-verify bench assess</c>: ONNX Runtime's batch inference of an MLP encoder beside our engine's forward pass of
/// the same weights on the same inputs, alternately, in one process.
/// </summary>
internal static class BenchAssessCommand
{
    public static Command Create(CommandIo io)
    {
        var rows = new Option<int>("--rows") { Description = "Observations encoded", DefaultValueFactory = _ => 100_000, HelpName = "N" };
        var features = new Option<int>("--features") { Description = "Input width (3,072 = a 32×32×3 image)", DefaultValueFactory = _ => 3072, HelpName = "F" };
        var hidden = new Option<int>("--hidden") { Description = "Width of the encoder's two hidden layers", DefaultValueFactory = _ => 256, HelpName = "H" };
        var latent = new Option<int>("--latent-dim") { Description = "Latent dimension", DefaultValueFactory = _ => 32, HelpName = "D" };
        var seed = new Option<ulong>("--seed") { Description = "Seeds the weights and the inputs", DefaultValueFactory = _ => 1, HelpName = "S" };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs of each", DefaultValueFactory = _ => 3, HelpName = "R" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("assess", "Time ONNX Runtime's inference of an MLP encoder (features → hidden → hidden → latent, ReLU) beside our engine's forward pass on the same weights and inputs. Exit 0, or 2 on bad options.");
        foreach (var o in new Option[] { rows, features, hidden, latent, seed, repeat, json })
        {
            command.Options.Add(o);
        }

        command.SetAction(r => CliApp.Guard(io.Error, () =>
        {
            var (n, f, h, d, s, reps) = (r.GetValue(rows), r.GetValue(features), r.GetValue(hidden), r.GetValue(latent), r.GetValue(seed), r.GetValue(repeat));
            if (n < 1 || f < 1 || h < 1 || d < 1 || reps < 1 || (long)n * f > Array.MaxLength)
            {
                throw new UsageException($"need --rows, --features, --hidden, --latent-dim, --repeat >= 1 and rows × features at most {Array.MaxLength}");
            }

            var model = new PJepaModel(new ModelShape(f, 1, 1, d, h, 2, ActivationKind.Relu, false, s));
            var dir = Directory.CreateTempSubdirectory("jepa-verify-bench-assess-").FullName;
            try
            {
                var files = OnnxExport.Write(model, dir);
                var random = new SeededRandom(s + 1);
                var x = new float[(long)n * f];
                for (var i = 0; i < x.Length; i++)
                {
                    x[i] = random.NextFloat(-0.5f, 0.5f);
                }

                using var onnx = OnnxJepa.Load(files[0], null, null);
                var runs = new List<(double Ort, double Engine, double Gap)>();
                for (var rep = 0; rep < reps; rep++)
                {
                    var clock = Stopwatch.StartNew();
                    var z = onnx.Encode(x, n, f);
                    var ort = clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    var ours = Forward(model, x, n, f, d);
                    runs.Add((ort, clock.Elapsed.TotalSeconds, z.Values.Zip(ours).Max(p => Math.Abs(p.First - p.Second))));
                }

                var peak = Process.GetCurrentProcess().PeakWorkingSet64;
                if (r.GetValue(json))
                {
                    io.Out.Write(JsonText.Write(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("benchmark", "assess");
                        w.WriteNumber("rows", n);
                        w.WriteNumber("features", f);
                        w.WriteNumber("hidden", h);
                        w.WriteNumber("latent_dim", d);
                        w.WriteNumber("seed", s);
                        w.WriteNumber("batch", OnnxJepa.BatchSize);
                        w.WriteStartArray("runs");
                        foreach (var (ort, engine, gap) in runs)
                        {
                            w.WriteStartObject();
                            w.WriteNumber("onnx_runtime_seconds", ort);
                            w.WriteNumber("engine_seconds", engine);
                            w.WriteNumber("largest_latent_difference", gap);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteNumber("peak_working_set_bytes", peak);
                        w.WriteNumber("cores", Environment.ProcessorCount);
                        w.WriteEndObject();
                    }));
                }
                else
                {
                    io.Out.WriteLine(Invariant($"bench assess: {n} rows × {f} features, encoder {f} → {h} → {h} → {d} (ReLU), batches of {OnnxJepa.BatchSize}, seed {s}"));
                    for (var i = 0; i < runs.Count; i++)
                    {
                        var (ort, engine, gap) = runs[i];
                        io.Out.WriteLine(Invariant($"  run {i + 1}: ONNX Runtime {ort:F2} s, our engine {engine:F2} s (ratio {engine / ort:F2}); largest latent difference {gap:G2}"));
                    }

                    io.Out.WriteLine(Invariant($"  machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; peak working set {peak / 1e6:F0} MB"));
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Our engine's forward pass in the same batches ONNX Runtime gets.</summary>
    private static float[] Forward(PJepaModel model, float[] x, int n, int f, int d)
    {
        var z = new float[(long)n * d];
        using var _ = GradMode.NoGrad();
        for (var start = 0; start < n; start += OnnxJepa.BatchSize)
        {
            var count = Math.Min(OnnxJepa.BatchSize, n - start);
            var batch = model.Encoder.Forward(Tensor.FromArray(x.AsSpan(start * f, count * f).ToArray(), count, f));
            batch.Data.AsSpan(0, count * d).CopyTo(z.AsSpan(start * d));
        }

        return z;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
