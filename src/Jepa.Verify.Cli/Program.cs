namespace Jepa.Verify.Cli;

/// <summary>The <c>jepa-verify</c> executable.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Main(string[] args) => CliApp.Run(args, Console.Out, Console.Error);
}
