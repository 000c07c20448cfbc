using System.Diagnostics;
using Xunit;
using Jepa.Verify.Mdp.Tests;

namespace Jepa.Verify.Cli.Tests;

/// <summary>
/// Tests for the published command line (<see cref="CliApp"/> as <c>./jepa-verify</c> runs it): every other test
/// calls <see cref="CliApp.Run"/> in the test process, under the JIT; these run the executable that
/// <c>.ci/setup.sh</c> builds (Native AOT where a C toolchain is present, else ReadyToRun), so that what only an
/// ahead-of-time build can break (reflection, native libraries, instruction sets) is caught: each command family
/// that reaches a native library or a serializer runs once.
/// </summary>
/// <remarks><c>./test.sh</c> publishes the executable and names it in <c>JV_PUBLISHED_CLI</c>; without it they are skipped.</remarks>
public sealed class PublishedBinaryTests
{
    private static readonly string Counting = TestFiles.Example("counting.json");

    [PublishedCliFact]
    public void Classes_reads_a_file_and_writes_json()
    {
        var run = Run("classes", "--json", Counting);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(9, run.Json.GetProperty("classes").GetInt32());
    }

    [PublishedCliFact]
    public void Prove_reaches_z3_in_process_and_cvc5_as_a_process()
    {
        var run = Run("prove", Counting, "--solver", "both", "--timeout", "60");
        Assert.True(run.ExitCode == 0, run.Error + run.Out);
        Assert.Contains("verified", run.Out, StringComparison.Ordinal);
    }

    [PublishedCliFact]
    public void Train_saves_a_model_onnx_and_figures_and_assess_reads_the_onnx_back()
    {
        var dir = Directory.CreateTempSubdirectory("jv-published-").FullName;
        try
        {
            var model = Path.Combine(dir, "model.jvm");
            var train = Run("train", Counting, "--steps", "300", "--step-cap", "300", "--quiet", "--json",
                "--save", model, "--save-onnx", dir, "--plot", dir);
            Assert.True(train.ExitCode is 0 or 3, train.Error);
            Assert.True(train.Json.TryGetProperty("verdict", out _));
            var png = Directory.GetFiles(dir, "*.png");
            Assert.NotEmpty(png);
            Assert.All(png, p => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(p)[..4]));

            var assess = Run("assess", Counting, "--encoder", Path.Combine(dir, "encoder.onnx"),
                "--transition", Path.Combine(dir, "transition.onnx"), "--aux-head", Path.Combine(dir, "aux_head.onnx"), "--json");
            Assert.True(assess.ExitCode is 0 or 1 or 3, assess.Error);
            Assert.True(assess.Json.GetProperty("certified_pairs").GetInt32() >= 0);
            Assert.Equal("JVMODEL\n"u8.ToArray(), File.ReadAllBytes(model)[..8]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [PublishedCliFact]
    public void Bad_input_is_one_line_and_exit_2()
    {
        var file = TestFiles.Write("broken.json", "{\"actions\": [\"a\"], \"observations\": [");
        var run = Run("classes", file);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.Contains("broken.json:1:", run.Error, StringComparison.Ordinal);
    }

    private static CliRun Run(params string[] args)
    {
        var start = new ProcessStartInfo(PublishedCliFactAttribute.Executable!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestFiles.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"jepa-verify {string.Join(' ', args)} ran past 3 minutes");
        }

        return new CliRun(process.ExitCode, stdout, stderr.Result);
    }
}

/// <summary>A fact about the published executable, skipped when <c>JV_PUBLISHED_CLI</c> does not name one (<c>./test.sh</c> sets it).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PublishedCliFactAttribute : FactAttribute
{
    public PublishedCliFactAttribute()
    {
        if (Executable is null)
        {
            Skip = "JV_PUBLISHED_CLI does not name the published jepa-verify (./test.sh publishes it and sets it)";
        }
    }

    /// <summary>The executable named by <c>JV_PUBLISHED_CLI</c>, when it exists.</summary>
    public static string? Executable => Environment.GetEnvironmentVariable("JV_PUBLISHED_CLI") is { Length: > 0 } path && File.Exists(path) ? path : null;
}
