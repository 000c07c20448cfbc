using System.Text.Json;

namespace Jepa.Verify.Cli.Tests;

/// <summary>One in-process run of <c>jepa-verify</c>: its exit code and what it printed.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    public JsonElement Json => JsonDocument.Parse(Out).RootElement;
}
